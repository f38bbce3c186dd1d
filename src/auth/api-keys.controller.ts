import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import { decodeCursor, ListQuery, pageOf } from '../common/http/pagination';
import { Idempotent } from '../idempotency';
import { ApiKey } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { RequireScopes, Scope, SCOPES } from '../common/auth/scopes';
import { ApiPage } from '../common/openapi/responses';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'newsletter-tool' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['consent:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({
    default: false,
    description: "Keep every consent decision this key asks for in the decision log, whatever the call's `record`",
  })
  @IsOptional()
  @IsBoolean()
  recordDecisions?: boolean;
}

export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ description: 'The first characters of the key, to recognise it' })
  prefix: string;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes: string[];

  @ApiProperty()
  recordDecisions: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;
}

export class ApiKeyCreated extends ApiKeyResponse {
  @ApiProperty({ description: 'The key itself: shown this once, kept only as a hash' })
  key: string;
}

const view = (k: ApiKey): ApiKeyResponse => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  recordDecisions: k.recordDecisions,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

@ApiTags('api-keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: ApiKeyCreated })
  @RequireScopes('keys:manage')
  // The answer holds the key itself, shown once: a replay names the key's id and never shows it again.
  @Idempotent<ApiKeysController, ApiKeyCreated>({ ref: (b) => ({ id: b.id }) })
  @ApiOperation({ summary: 'Create an API key; the key is shown once' })
  async create(@Body() dto: CreateApiKeyDto): Promise<ApiKeyCreated> {
    const { row, key } = await this.keys.create(dto.name, dto.scopes, dto.recordDecisions ?? false);
    return { ...view(row), key };
  }

  @Get()
  @ApiPage(ApiKeyResponse)
  @ApiOperation({ summary: 'API keys, newest first' })
  @RequireScopes('keys:manage')
  async list(@Query() q: ListQuery) {
    const cursor = decodeCursor<{ createdAt: string }>(q.cursor, ['createdAt']);
    const rows = await this.keys.list(cursor?.createdAt, q.limit + 1);
    return pageOf(rows, q.limit, view, (r) => ({ createdAt: r.createdAt.toISOString() }));
  }

  @Delete(':id')
  @ApiNoContentResponse({ description: 'Revoked' })
  @HttpCode(204)
  @RequireScopes('keys:manage')
  @ApiOperation({ summary: 'Revoke an API key' })
  async revoke(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
