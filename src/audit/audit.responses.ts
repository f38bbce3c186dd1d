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

  @ApiPropertyOptional({ type: 'integer', description: 'The first bad position (leaf index) in the tree' })
  position?: number;

  @ApiPropertyOptional({ description: 'The entry concerned, when one is' })
  seq?: string;

  @ApiProperty()
  detail: string;
}

export const TRUSTED_SOURCES = ['checkpoint', 'stored_checkpoint', 'tree'] as const;
export type TrustedSource = (typeof TRUSTED_SOURCES)[number];

export class TrustedRootView {
  @ApiProperty({ type: 'integer', description: 'Entries in the trusted tree' })
  treeSize: number;

  @ApiProperty({ description: 'Its root, hex' })
  rootHash: string;

  @ApiProperty({
    enum: TRUSTED_SOURCES,
    description:
      'checkpoint: the signed checkpoint the caller gave (kept outside the database: the strong check); ' +
      'stored_checkpoint: the latest checkpoint recorded in the database; tree: the tree row, when none is signed yet',
  })
  source: TrustedSource;
}

export class VerifyResult {
  @ApiProperty()
  valid: boolean;

  @ApiProperty({ type: 'integer', description: 'Sealed entries recomputed' })
  checked: number;

  @ApiProperty({ type: 'integer', description: 'Leaves found in the tree' })
  treeSize: number;

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

export class CheckpointResponse {
  @ApiProperty({ type: 'integer', description: 'Entries the checkpoint covers' })
  treeSize: number;

  @ApiProperty({ description: 'The tree root, hex (RFC 9162)' })
  rootHash: string;

  @ApiProperty({ format: 'date-time' })
  issuedAt: string;

  @ApiProperty({ format: 'uuid', description: 'The signing key (GET /v1/audit/checkpoints/keys)' })
  kid: string;

  @ApiProperty({ description: 'Compact JWS (EdDSA) of {treeSize, rootHash, issuedAt}: keep it outside the database' })
  jws: string;
}

export class InclusionProofResponse {
  @ApiProperty()
  seq: string;

  @ApiProperty({ type: 'integer', description: 'The entry’s leaf index' })
  position: number;

  @ApiProperty({ type: 'integer' })
  treeSize: number;

  @ApiProperty({ description: 'SHA-256(0x00 ‖ canonical entry), hex' })
  leafHash: string;

  @ApiProperty({ type: [String], description: 'RFC 9162 audit path, from the leaf upwards, hex' })
  path: string[];

  @ApiProperty({ description: 'The root of the tree of treeSize entries, hex' })
  rootHash: string;
}

export class ConsistencyProofResponse {
  @ApiProperty({ type: 'integer' })
  from: number;

  @ApiProperty({ type: 'integer' })
  to: number;

  @ApiProperty()
  fromRoot: string;

  @ApiProperty()
  toRoot: string;

  @ApiProperty({ type: [String], description: 'RFC 9162 consistency proof, hex' })
  proof: string[];
}

export class AuditKeyRotated {
  @ApiProperty({ format: 'uuid', description: 'The new signing key’s id; the old one stays in the JWKS' })
  kid: string;
}
