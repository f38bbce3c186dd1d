import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, RequireScopes } from '../common/auth/scopes';
import { ReceiptsService } from './receipts.service';

@ApiTags('receipts')
@Controller('v1/receipts')
export class ReceiptsController {
  constructor(private readonly receipts: ReceiptsService) {}

  @Get('jwks.json')
  @Public()
  @ApiOperation({ summary: 'Public keys that verify consent receipts (retired keys included)' })
  jwks() {
    return this.receipts.jwks();
  }

  @Post('keys/rotate')
  @HttpCode(200)
  @RequireScopes('keys:manage')
  @ApiOperation({ summary: 'Sign new receipts with a new key; old receipts stay verifiable' })
  rotate() {
    return this.receipts.rotate();
  }
}
