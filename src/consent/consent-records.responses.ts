import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Channel, ConsentEventKind, EventReason, ExpressedBy, SourceMethod } from './consent.types';

/*
 * What the consent history, proof, decision log, links and subscriptions answer (issue 24); the views that build
 * these bodies are typed with the classes, so the compiler holds the code to the document.
 */

export class EventSourceView {
  @ApiProperty({ enum: SourceMethod })
  method: SourceMethod;

  @ApiProperty({ type: String, nullable: true, description: 'A store, a form, a page' })
  location: string | null;

  @ApiProperty({ type: String, nullable: true })
  staffId: string | null;
}

export class EventImportView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The row of the import file' })
  row: number | null;
}

export class HistoryEventView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  purpose: string;

  @ApiProperty({ enum: Channel })
  channel: Channel;

  @ApiProperty({ enum: ConsentEventKind })
  decision: ConsentEventKind;

  @ApiProperty({ enum: EventReason, nullable: true })
  reason: EventReason | null;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty()
  locale: string;

  @ApiProperty({ description: 'SHA-256 of the rendered text' })
  sha256: string;

  @ApiProperty({ description: 'A double opt-in grant waiting for its confirmation' })
  pending: boolean;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The pending grant this confirms' })
  confirms: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiProperty({ type: EventSourceView })
  source: EventSourceView;

  @ApiProperty({ enum: ExpressedBy, description: 'The subject, or a guardian for a child (Art. 8)' })
  expressedBy: ExpressedBy;

  @ApiProperty({ description: 'Sent with a Global Privacy Control signal' })
  gpc: boolean;

  @ApiProperty({ description: 'Written while the subject was on the suppression list' })
  suppressed: boolean;

  @ApiPropertyOptional({ type: EventImportView, description: 'Brought in by an import' })
  import?: EventImportView;
}

export class HistoryResponse {
  @ApiProperty({ format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: [HistoryEventView], description: 'Oldest first' })
  items: HistoryEventView[];
}

export class ProofTextView {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty()
  locale: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ type: String, nullable: true, description: 'The exact words, as published' })
  rendered: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt: string | null;
}

export class ProofAuditActor {
  @ApiProperty()
  type: string;

  @ApiProperty({ type: String, nullable: true })
  id: string | null;
}

export class ProofAuditEntry {
  @ApiProperty()
  seq: string;

  @ApiProperty({ description: 'RFC 9162 leaf hash of the entry, hex: what GET /v1/audit/entries/{seq}/proof proves' })
  leafHash: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Its position in the signed audit tree; null until the sequencer sealed it (seconds)',
  })
  position: number | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ type: ProofAuditActor })
  actor: ProofAuditActor;

  @ApiProperty()
  action: string;

  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  data: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true, description: 'Legacy hash chain; null for entries in the Merkle tree' })
  hash: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Legacy hash chain; null for entries in the Merkle tree' })
  prevHash: string | null;
}

export class ProofResponse {
  @ApiProperty({ type: HistoryEventView })
  event: HistoryEventView;

  @ApiProperty({ type: ProofTextView, nullable: true })
  text: ProofTextView | null;

  @ApiProperty({ description: 'The hash the event recorded' })
  sha256: string;

  @ApiProperty({ description: 'The text as stored still hashes to the event’s sha256' })
  textHashMatches: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'IP address, user agent, form, document: personal data, and reading it is audited',
  })
  evidence: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  evidenceSha256: string | null;

  @ApiProperty({ type: Boolean, nullable: true })
  evidenceHashMatches: boolean | null;

  @ApiProperty({ type: [HistoryEventView], description: 'Double opt-in confirmations of this grant' })
  confirmations: HistoryEventView[];

  @ApiProperty({ type: String, nullable: true, description: 'The signed receipt (compact JWS)' })
  receipt: string | null;

  @ApiProperty({ type: [ProofAuditEntry], description: 'The audit entries of the event and its confirmations' })
  audit: ProofAuditEntry[];
}

export class DecisionRecordView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['single', 'batch'] })
  kind: 'single' | 'batch';

  @ApiProperty({ format: 'date-time' })
  decidedAt: string;

  @ApiProperty({ description: '`<principal kind>:<id>` that asked' })
  principal: string;

  @ApiProperty()
  purpose: string;

  @ApiProperty({ enum: Channel })
  channel: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'single' })
  subjectId?: string | null;

  @ApiProperty({
    oneOf: [{ type: 'boolean', nullable: true }, { type: 'integer' }],
    description: 'single: the answer; batch: how many were allowed',
  })
  allowed: boolean | number | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'single' })
  reason?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'single' })
  consentId?: string | null;

  @ApiPropertyOptional({ type: 'integer', description: 'batch' })
  total?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'batch' })
  denied?: number;
}

export class ListUnsubscribeHeaders {
  @ApiProperty({ name: 'List-Unsubscribe', description: 'RFC 2369' })
  'List-Unsubscribe': string;

  @ApiProperty({ name: 'List-Unsubscribe-Post', description: 'RFC 8058' })
  'List-Unsubscribe-Post': string;
}

export class LinkResponse {
  @ApiProperty()
  url: string;

  @ApiProperty({ description: 'The signed token in the link' })
  token: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

export class UnsubscribeLinkResponse extends LinkResponse {
  @ApiProperty({ type: ListUnsubscribeHeaders, description: 'For the message’s headers' })
  headers: ListUnsubscribeHeaders;
}

export class SubscriptionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ type: [String], nullable: true, description: 'null: every purpose' })
  purposes: string[] | null;

  @ApiProperty({ type: [String], nullable: true, description: 'null: every change type' })
  types: string[] | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  disabledAt: string | null;
}

export class SubscriptionList {
  @ApiProperty({ type: [SubscriptionView] })
  items: SubscriptionView[];
}

export class GpcResponse {
  @ApiProperty({ enum: [true] })
  gpc: true;

  @ApiProperty({ format: 'date' })
  lastUpdate: string;
}
