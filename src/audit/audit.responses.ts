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

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Legacy hash chain (entries written before the Merkle tree); null since. Use the inclusion proof.',
  })
  hash: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Legacy hash chain: the previous entry’s hash' })
  prevHash: string | null;
}

export class ChainHead {
  @ApiProperty()
  seq: string;

  @ApiProperty()
  hash: string;
}

export const AUDIT_FAULT_KINDS = ['edited', 'removed', 'truncated', 'rewritten'] as const;

export class AuditFault {
  @ApiProperty({
    enum: AUDIT_FAULT_KINDS,
    description:
      'edited: an entry differs from its sealed leaf (or breaks the legacy chain); removed: an entry or a leaf is ' +
      'gone; truncated: the tree ends before the trusted size; rewritten: the leaves no longer give the trusted root',
  })
  kind: (typeof AUDIT_FAULT_KINDS)[number];

  @ApiPropertyOptional({ description: 'The first bad position in the tree (a string: it may exceed 2^53)' })
  position?: string;

  @ApiPropertyOptional({ description: 'The entry concerned, when one is' })
  seq?: string;

  @ApiProperty()
  detail: string;
}

export class TrustedRootView {
  @ApiProperty({ description: 'Leaves in the trusted tree' })
  treeSize: string;

  @ApiProperty({ description: 'Its root, hex' })
  rootHash: string;

  @ApiProperty({
    enum: ['checkpoint', 'stored'],
    description: 'checkpoint: a signed checkpoint given by the caller; stored: the tree row in the database',
  })
  source: 'checkpoint' | 'stored';
}

export class VerifyResult {
  @ApiProperty()
  valid: boolean;

  @ApiProperty({ type: 'integer', description: 'Sealed entries recomputed' })
  checked: number;

  @ApiProperty({ description: 'Leaves found in the tree' })
  treeSize: string;

  @ApiProperty({ description: 'The root recomputed from those leaves, hex (RFC 9162)' })
  rootHash: string;

  @ApiProperty({ type: TrustedRootView, description: 'The root the leaves were checked against' })
  trusted: TrustedRootView;

  @ApiProperty({
    type: ChainHead,
    nullable: true,
    description: 'The last entry of the legacy hash chain; null if none',
  })
  head: ChainHead | null;

  @ApiPropertyOptional({ type: AuditFault, description: 'The first fault found' })
  fault?: AuditFault;

  @ApiPropertyOptional({ description: 'The entry of the first fault, when it concerns one' })
  firstInvalidSeq?: string;
}
