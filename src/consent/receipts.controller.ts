import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public, RequireScopes } from '../common/auth/scopes';
import { ReceiptsService } from './receipts.service';
import { JwksResponse } from '../common/openapi/responses';

export class KeyRotated {
  @ApiProperty({ format: 'uuid', description: 'The new signing key’s id' })
  kid: string;
}

@ApiTags('receipts')
@Controller('v1/receipts')
export class ReceiptsController {
  constructor(private readonly receipts: ReceiptsService) {}

  @Get('jwks.json')
  @ApiOkResponse({ type: JwksResponse })
  @Public()
  @ApiOperation({ summary: 'Public keys that verify consent receipts (retired keys included)' })
  jwks() {
    return this.receipts.jwks();
  }

  @Post('keys/rotate')
  @ApiOkResponse({ type: KeyRotated })
  @HttpCode(200)
  @RequireScopes('keys:manage')
  @ApiOperation({ summary: 'Sign new receipts with a new key; old receipts stay verifiable' })
  rotate() {
    return this.receipts.rotate();
  }
}
