import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
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
