import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANGE_TYPES } from './consent-change.entity';
import { IMPORT_STATUSES } from './consent-import.entity';
import type { ListedStatus } from './consent-rules';
import { Channel, DecisionReason } from './consent.types';

/*
 * The shapes the integration routes answer with, for the OpenAPI document and so for the typed client generated
 * from it (clients/typescript): a client that checks, syncs and imports gets real types, not `unknown`.
 */

export class DecisionResponse {
  @ApiProperty({ example: true })
  allowed: boolean;

  @ApiProperty({ enum: DecisionReason, example: DecisionReason.Granted })
  reason: DecisionReason;

  @ApiProperty({ format: 'uuid', description: 'With `record`: GET /v1/decisions/{decisionId} returns it' })
  decisionId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The consent event the answer rests on' })
  consentId?: string;

  @ApiPropertyOptional({ description: 'The text version agreed to' })
  version?: number;

  @ApiPropertyOptional({ format: 'date-time' })
  grantedAt?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'Until when time alone leaves this answer as it is (a grant expiring, a child turning 16 or the purpose’s ' +
      'minimum age); absent when time never changes it. Events change it earlier: follow GET /v1/changes.',
  })
  validUntil?: string;
}

export class BatchDecisionResult {
  @ApiPropertyOptional({ description: 'The input as given (one of subjectId, email, phone, externalId)' })
  subjectId?: string;

  @ApiPropertyOptional()
  email?: string;

  @ApiPropertyOptional()
  phone?: string;

  @ApiPropertyOptional()
  externalId?: string;

  @ApiProperty()
  allowed: boolean;

  @ApiProperty({ enum: DecisionReason })
  reason: DecisionReason;

  @ApiPropertyOptional({ format: 'uuid' })
  consentId?: string;

  @ApiPropertyOptional()
  version?: number;

  @ApiPropertyOptional({ format: 'date-time' })
  grantedAt?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'As in the single check: until when time alone keeps it' })
  validUntil?: string;
}

export class BatchDecisionResponse {
  @ApiProperty({ format: 'uuid' })
  decisionId: string;

  @ApiProperty({ type: [BatchDecisionResult], description: 'In input order' })
  results: BatchDecisionResult[];
}

export class ChangeDecision {
  @ApiProperty()
  purpose: string;

  @ApiProperty({ enum: Channel })
  channel: Channel;

  @ApiProperty()
  allowed: boolean;

  @ApiProperty({ enum: DecisionReason })
  reason: DecisionReason;
}

export class Change {
  @ApiProperty({ description: 'Pass as `after` to read on from this change' })
  cursor: string;

  @ApiProperty({ enum: CHANGE_TYPES })
  type: (typeof CHANGE_TYPES)[number];

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ format: 'uuid' })
  subjectId: string;

  @ApiPropertyOptional({ description: "The subject's unscoped external id, when it has one" })
  externalId?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Only for keys with subjects:read' })
  email?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Only for keys with subjects:read' })
  phone?: string | null;

  @ApiProperty({ type: [ChangeDecision], description: 'The decisions that stand now for what the change touched' })
  decisions: ChangeDecision[];
}

export class ChangesPage {
  @ApiProperty({ type: [Change] })
  changes: Change[];

  @ApiProperty({ type: String, nullable: true, description: 'The cursor to read on from (`after`)' })
  next: string | null;
}

export class ImportRows {
  @ApiProperty()
  read: number;

  @ApiProperty()
  imported: number;

  @ApiProperty({ description: 'Imported before (the same row identity)' })
  skipped: number;

  @ApiProperty({ description: 'Named in GET /v1/imports/{id}/errors' })
  failed: number;
}

export class ImportResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['ndjson', 'csv'] })
  format: 'ndjson' | 'csv';

  @ApiProperty({ enum: IMPORT_STATUSES })
  status: (typeof IMPORT_STATUSES)[number];

  @ApiProperty()
  dryRun: boolean;

  @ApiProperty({ type: Number, nullable: true, description: 'Bytes received' })
  size: number | null;

  @ApiProperty({ type: ImportRows })
  rows: ImportRows;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;
}

export class ConsentEventResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  subjectId: string;

  @ApiProperty({ example: 'newsletter' })
  purpose: string;

  @ApiProperty({ enum: Channel })
  channel: Channel;

  @ApiProperty({ description: 'The text version agreed to (0 and below: texts brought in by an import)' })
  version: number;

  @ApiProperty({ example: 'pl' })
  locale: string;

  @ApiProperty({ description: 'SHA-256 of the rendered text agreed to' })
  sha256: string;

  @ApiProperty({ enum: ['granted', 'refused', 'withdrawn', 'confirmed'] })
  decision: string;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'gpc, double_opt_in, objection, ...' })
  reason: string | null;

  @ApiProperty({ description: 'A grant waiting for the person to confirm it (double opt-in)' })
  pending: boolean;

  @ApiProperty({ format: 'date-time', description: 'When the person expressed it' })
  occurredAt: string;

  @ApiProperty({ format: 'date-time', description: 'When Zgoda stored it' })
  recordedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The signed consent receipt (compact JWS, ES256; keys at /v1/receipts/jwks.json)',
  })
  receipt: string | null;
}

export class ConsentByIdentifierResponse extends ConsentEventResponse {
  @ApiProperty({ description: 'The subject was created by this call' })
  subjectCreated: boolean;
}

/** NDJSON and CSV bodies: a string of lines, read as a stream. */
export const textContent = (type: string, description: string) => ({
  content: { [type]: { schema: { type: 'string' as const, description } } },
});

export class UnsubscribeResponse {
  @ApiProperty({ enum: ['withdrawn', 'already_withdrawn'] })
  status: 'withdrawn' | 'already_withdrawn';

  @ApiProperty({ description: 'The purpose key' })
  purpose: string;

  @ApiProperty({ enum: Channel })
  channel: string;
}

export class ConfirmResponse {
  @ApiProperty({ enum: ['confirmed', 'already_confirmed', 'no_longer_pending'] })
  status: 'confirmed' | 'already_confirmed' | 'no_longer_pending';

  @ApiProperty({ description: 'The purpose key' })
  purpose: string;
}

export class ConsentStateView {
  @ApiProperty()
  purpose: string;

  @ApiProperty({ enum: Channel })
  channel: string;

  @ApiProperty({ enum: ['granted', 'pending', 'expired', 'withdrawn', 'refused', 'none'] })
  status: ListedStatus;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The event the state rests on' })
  consentId: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The text version agreed to' })
  version: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The purpose’s current text version' })
  latestVersion: number | null;

  @ApiProperty({ description: 'The current text asks for consent again (Art. 7(1))' })
  reconsentRequired: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  grantedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;
}

export class ConsentStatesResponse {
  @ApiProperty({ format: 'uuid', description: 'The surviving subject, when the id asked for was merged' })
  subjectId: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The `at` asked for' })
  at: string | null;

  @ApiProperty({ type: [ConsentStateView] })
  items: ConsentStateView[];
}

export class PreferenceView extends ConsentStateView {
  @ApiProperty()
  purposeName: string;

  @ApiPropertyOptional({ description: 'For POST /public/unsubscribe, while granted or pending' })
  unsubscribeToken?: string;
}

export class PreferencesResponse {
  @ApiProperty({ format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: [PreferenceView] })
  items: PreferenceView[];
}
