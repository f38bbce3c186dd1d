import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { RETENTION_TRIGGERS } from './retention-due';
import {
  ITEM_OUTCOMES,
  ItemOutcome,
  NOTICE_STATUSES,
  NoticeStatus,
  RETENTION_ACTIONS,
  RetentionAction,
  REVIEW_RESOLUTIONS,
  REVIEW_STATUSES,
  ReviewResolution,
  ReviewStatus,
  RUN_SOURCES,
  RUN_STATUSES,
  RunSource,
  RunStatus,
} from './retention.types';

/* What the retention routes answer (issue 24); the views in retention-views.ts are typed with these classes. */

export class PolicyDescription {
  @ApiProperty({ description: 'Art. 30(1)(f) in words, as the register prints it' })
  pl: string;

  @ApiProperty()
  en: string;
}

export class PolicySnapshotView {
  @ApiProperty()
  key: string;

  @ApiProperty({ type: String, nullable: true, description: 'Exactly one of dataCategory and purpose is set' })
  dataCategory: string | null;

  @ApiProperty({ type: String, nullable: true })
  purpose: string | null;

  @ApiProperty({ type: String, nullable: true })
  system: string | null;

  @ApiProperty({ enum: RETENTION_TRIGGERS })
  trigger: string;

  @ApiProperty({ example: 'P5Y', description: 'ISO 8601 duration' })
  period: string;

  @ApiProperty()
  roundToYearEnd: boolean;

  @ApiProperty({ enum: RETENTION_ACTIONS })
  action: string;

  @ApiProperty()
  legalBasis: string;

  @ApiProperty({ type: String, nullable: true })
  owner: string | null;

  @ApiProperty()
  active: boolean;
}

export class PolicyResponse extends PolicySnapshotView {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ type: PolicyDescription })
  description: PolicyDescription;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class PolicyVersionResponse {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ type: [String] })
  changedFields: string[];

  @ApiProperty()
  changedBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: PolicySnapshotView, description: 'The policy as this version said it' })
  policy: PolicySnapshotView;
}

export class SkipCountsView {
  @ApiProperty({ type: 'integer' })
  legalHold: number;

  @ApiProperty({ type: 'integer' })
  openRequest: number;

  @ApiProperty({ type: 'integer' })
  restricted: number;

  @ApiProperty({ type: 'integer' })
  activeConsent: number;

  @ApiProperty({ type: 'integer' })
  retained: number;

  @ApiProperty({ type: 'integer' })
  reviewExists: number;
}

export class PolicyReportView {
  @ApiProperty()
  category: string;

  @ApiProperty({ enum: RETENTION_ACTIONS })
  action: RetentionAction;

  @ApiProperty({ type: [String], description: 'Data systems told of each erasure (Art. 19)' })
  systemsToInform: string[];

  @ApiProperty({ type: 'integer' })
  matched: number;

  @ApiProperty({ type: 'integer' })
  processed: number;

  @ApiProperty({ type: 'integer' })
  failed: number;

  @ApiProperty({ type: SkipCountsView })
  skipped: SkipCountsView;
}

export class CategoryCounts {
  @ApiProperty({ type: 'integer' })
  matched: number;

  @ApiProperty({ type: 'integer' })
  processed: number;

  @ApiProperty({ type: 'integer' })
  failed: number;
}

export class RunPolicyRef {
  @ApiProperty()
  key: string;

  @ApiProperty({ type: 'integer' })
  version: number;
}

@ApiExtraModels(PolicyReportView, CategoryCounts)
export class RunResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: RUN_STATUSES })
  status: RunStatus;

  @ApiProperty()
  dryRun: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'One policy only; null: every active policy' })
  policy: string | null;

  @ApiProperty({ enum: RUN_SOURCES })
  source: RunSource;

  @ApiProperty({ format: 'date-time' })
  asOf: string;

  @ApiProperty({ type: [RunPolicyRef], description: 'The policy versions the run applies' })
  policies: RunPolicyRef[];

  @ApiProperty({ type: 'integer' })
  batches: number;

  @ApiProperty({ type: 'integer' })
  scanned: number;

  @ApiProperty({ type: 'integer' })
  matched: number;

  @ApiProperty({ type: 'integer' })
  processed: number;

  @ApiProperty({ type: 'integer' })
  failed: number;

  @ApiProperty({ type: SkipCountsView })
  skipped: SkipCountsView;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(PolicyReportView) },
    description: 'By policy key',
  })
  byPolicy: Record<string, PolicyReportView>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(CategoryCounts) },
    description: 'By data category',
  })
  byCategory: Record<string, CategoryCounts>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;
}

export class RunItemView {
  @ApiProperty({ format: 'uuid' })
  subjectId: string;

  @ApiProperty()
  policy: string;

  @ApiProperty({ type: String, nullable: true })
  category: string | null;

  @ApiProperty({ type: String, nullable: true })
  purpose: string | null;

  @ApiProperty({ enum: RETENTION_ACTIONS, nullable: true })
  action: RetentionAction | null;

  @ApiProperty({ enum: ITEM_OUTCOMES })
  outcome: ItemOutcome;

  @ApiProperty({ type: 'integer' })
  batch: number;
}

export class RunItemPage {
  @ApiProperty({ type: [RunItemView] })
  items: RunItemView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class NoticeCounts {
  @ApiProperty({ type: 'integer' })
  pending: number;

  @ApiProperty({ type: 'integer' })
  sent: number;

  @ApiProperty({ type: 'integer' })
  failed: number;

  @ApiProperty({ type: 'integer' })
  manual: number;
}

export class RunDetail extends RunResponse {
  @ApiPropertyOptional({ type: RunItemPage, description: 'A dry run: the subjects it would affect (paged)' })
  affected?: RunItemPage;

  @ApiPropertyOptional({ type: NoticeCounts, description: 'A real run: the data systems told, by status' })
  notices?: NoticeCounts;
}

export class ReviewResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  subjectId: string;

  @ApiProperty()
  policy: string;

  @ApiProperty({ type: 'integer' })
  policyVersion: number;

  @ApiProperty({ format: 'uuid' })
  runId: string;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ enum: REVIEW_STATUSES })
  status: ReviewStatus;

  @ApiProperty({ enum: REVIEW_RESOLUTIONS, nullable: true })
  resolution: ReviewResolution | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  resolvedBy: string | null;
}

export class NoticeResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  subjectId: string;

  @ApiProperty()
  system: string;

  @ApiProperty()
  systemKind: string;

  @ApiProperty()
  policy: string;

  @ApiProperty({ enum: ['erase', 'anonymise'] })
  action: 'erase' | 'anonymise';

  @ApiProperty({ enum: NOTICE_STATUSES })
  status: NoticeStatus;

  @ApiProperty({ type: 'integer' })
  attempts: number;

  @ApiProperty({ type: String, nullable: true, description: 'A code or HTTP status, never personal data' })
  lastError: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  sentAt: string | null;
}
