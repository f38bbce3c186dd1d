import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/* What the audit routes answer (issue 24); toAuditView and AuditService.verify are typed with these classes. */

export class AuditActorView {
  @ApiProperty({ example: 'api_key', description: 'api_key, staff, system, subject, ...' })
  type: string;

  @ApiProperty({ type: String, nullable: true })
  id: string | null;
}

export class AuditTargetView {
  @ApiProperty()
  type: string;

  @ApiProperty({ type: String, nullable: true })
  id: string | null;
}

export class AuditEntryView {
  @ApiProperty({ description: 'Position in the chain (a string: it may exceed 2^53)' })
  seq: string;

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ type: AuditActorView })
  actor: AuditActorView;

  @ApiProperty({ example: 'consent.granted' })
  action: string;

  @ApiProperty({ type: AuditTargetView })
  target: AuditTargetView;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  subjectId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'A reason code, never free text' })
  reason: string | null;

  @ApiProperty({ type: String, nullable: true })
  correlationId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Ids and codes only' })
  data: Record<string, unknown> | null;

  @ApiProperty({ description: 'This entry’s hash in the chain' })
  hash: string;

  @ApiProperty()
  prevHash: string;
}

export class ChainHead {
  @ApiProperty()
  seq: string;

  @ApiProperty()
  hash: string;
}

export class VerifyResult {
  @ApiProperty()
  valid: boolean;

  @ApiProperty({ type: 'integer' })
  checked: number;

  @ApiProperty({ type: ChainHead, nullable: true, description: 'The last entry checked; null on an empty log' })
  head: ChainHead | null;

  @ApiPropertyOptional({ description: 'The first entry whose hash or position does not follow' })
  firstInvalidSeq?: string;
}
