import { Controller, Get, Query } from '@nestjs/common';
import { ApiGoneResponse, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ChangesPage } from './consent-api.responses';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CurrentPrincipal, Principal } from '../common/auth/principal';
import { hasScope, RequireScopes } from '../common/auth/scopes';
import { ChangeFeed } from './change-feed.service';
import { CHANGE_TYPES, ChangeType } from './consent-change.entity';
import { CHANGES_EXAMPLE } from './consent-api.examples';

export class ConsentChangesQuery {
  @ApiPropertyOptional({
    description: "The `next` (or a change's `cursor`) of the previous page; omitted: from the start",
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({
    description: `Comma-separated: ${CHANGE_TYPES.join(', ')}`,
    example: 'consent_withdrawn,erasure',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value))
  @IsArray()
  @ArrayMaxSize(CHANGE_TYPES.length)
  @IsIn(CHANGE_TYPES, { each: true })
  types?: ChangeType[];
}

@ApiTags('consent-changes')
@Controller('v1/changes')
export class ChangesController {
  constructor(private readonly feed: ChangeFeed) {}

  @Get()
  @RequireScopes('consent:read')
  @ApiOperation({
    summary: "Every change that can alter a consent decision, in order, each with the subject's decisions now",
    description:
      'Page with `after=<next>`; a change that commits late never lands behind a cursor already read. ' +
      'externalId (the unscoped external id) for every reader; e-mail and phone only for keys with subjects:read. 410 cursor_expired past CHANGES_RETENTION_DAYS.',
  })
  @ApiOkResponse({ type: ChangesPage, example: CHANGES_EXAMPLE })
  @ApiGoneResponse({
    description: 'Problem code `cursor_expired`: older than CHANGES_RETENTION_DAYS; read from the start',
  })
  changes(@Query() q: ConsentChangesQuery, @CurrentPrincipal() principal: Principal) {
    return this.feed.page(
      q.after,
      q.limit ?? 100,
      q.types?.length ? q.types : null,
      hasScope(principal.scopes, ['subjects:read']),
    );
  }
}
