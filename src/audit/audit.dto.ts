import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { ListQuery } from '../common/http/pagination';
import { AuditEntry } from './audit-entry.entity';
import type { AuditEntryView } from './audit.responses';

export class AuditQuery extends ListQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() subjectId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) targetType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) targetId?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() to?: string;
}

export class AuditVerifyBody {
  @ApiPropertyOptional({
    description:
      'A checkpoint kept outside the database (the compact JWS of GET /v1/audit/checkpoints/latest or a file ' +
      'of AUDIT_CHECKPOINT_DIR); without one, the latest recorded checkpoint',
    maxLength: 4096,
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  @Matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\s*$/, { message: 'checkpoint must be a compact JWS' })
  checkpoint?: string;
}

export class ProofQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'The tree size of a checkpoint; default: the sealed tree',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  treeSize?: number;
}

export class ConsistencyQuery {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The earlier tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  from: number;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'The later tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  to: number;
}

export function toAuditView(e: AuditEntry): AuditEntryView {
  return {
    seq: String(e.seq),
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actor: { type: e.actorType, id: e.actorId },
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    subjectId: e.subjectId,
    reason: e.reason,
    correlationId: e.correlationId,
    data: e.data,
    hash: e.hash,
    prevHash: e.prevHash,
  };
}
