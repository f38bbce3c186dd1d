import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TOLD_OFFLINE, type ToldBy } from '../common/validation/told-by';
import {
  OBJECTION_OUTCOMES,
  ObjectionOutcome,
  REQUEST_SOURCES,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  RequestSource,
  Resolution,
  RESOLUTIONS,
  TASK_ACTIONS,
  TASK_STATUSES,
  TaskAction,
  TaskStatus,
} from './request.types';

/*
 * What the request routes answer, for the OpenAPI document and the typed client generated from it (issue 24);
 * requestView and taskView are typed with these classes, so the compiler holds the code to the document.
 */

const TOLD_BY = ['email', ...TOLD_OFFLINE];

export class RetainedCategoryView {
  @ApiProperty()
  category: string;

  @ApiProperty({ type: String, nullable: true })
  legalBasis: string | null;

  @ApiProperty({ type: String, nullable: true })
  until: string | null;
}

export class TaskView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The data system key' })
  system: string;

  @ApiProperty({ description: 'The data system kind (webhook, manual, internal)' })
  kind: string;

  @ApiProperty({ enum: TASK_ACTIONS })
  action: TaskAction;

  @ApiProperty({ enum: TASK_STATUSES })
  status: TaskStatus;

  @ApiProperty({ type: Boolean, nullable: true, description: 'false: the system holds nothing; null: not said' })
  found: boolean | null;

  @ApiProperty({ type: 'integer' })
  attempts: number;

  @ApiProperty({ type: String, nullable: true, description: 'A code or HTTP status, never personal data' })
  lastError: string | null;

  @ApiProperty({ type: String, nullable: true })
  retainedReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  retainedUntil: string | null;

  @ApiProperty({
    type: [RetainedCategoryView],
    nullable: true,
    description: 'An erasure: the categories kept under a legal hold (Art. 17(3))',
  })
  retainedCategories: RetainedCategoryView[] | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;
}

export class AssessmentView {
  @ApiProperty({ enum: OBJECTION_OUTCOMES })
  outcome: ObjectionOutcome;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  assessedAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The reasons given to the subject (Art. 21(1))' })
  reasons: string | null;

  @ApiProperty({ enum: TOLD_BY, nullable: true })
  toldBy: ToldBy | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  toldAt: string | null;
}

export class NamedRecipientView {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  toldAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  toldBy: string | null;
}

export class RequestResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: REQUEST_TYPES })
  type: (typeof REQUEST_TYPES)[number];

  @ApiProperty({ enum: REQUEST_STATUSES })
  status: (typeof REQUEST_STATUSES)[number];

  @ApiProperty({ enum: RESOLUTIONS, nullable: true })
  resolution: Resolution | null;

  @ApiProperty({ type: String, nullable: true })
  resolutionCode: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The reasons told to the subject (a rejection)' })
  resolutionReason: string | null;

  @ApiProperty({ enum: REQUEST_SOURCES })
  source: RequestSource;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: '`hold_ended`: the erasure this one finishes',
  })
  follows: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  subjectId: string | null;

  @ApiProperty({ enum: ['pl', 'en'] })
  locale: string;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  verifiedAt: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Seconds the identity check held the clock' })
  verificationWaitSeconds: number | null;

  @ApiProperty({ format: 'date-time', description: 'One month from receipt (Art. 12(3)); see .../clock' })
  dueAt: string;

  @ApiProperty({ type: 'integer', description: '0, 1 or 2' })
  extensionMonths: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'After an extension' })
  extendedDueAt: string | null;

  @ApiProperty({ enum: TOLD_BY, nullable: true })
  extensionToldBy: ToldBy | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  extensionToldAt: string | null;

  @ApiProperty({ type: AssessmentView, nullable: true, description: 'Art. 21(1): null until assessed' })
  assessment: AssessmentView | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  duplicateOf: string | null;

  @ApiProperty({ example: 'on_track' })
  deadlineState: string;

  @ApiPropertyOptional({ type: [TaskView], description: 'One per data system; on the single-request view' })
  tasks?: TaskView[];

  @ApiProperty({ type: [NamedRecipientView], description: 'Art. 19: recipients staff tell' })
  recipients: NamedRecipientView[];

  @ApiPropertyOptional({ description: 'An access or portability package can be downloaded' })
  resultAvailable?: boolean;

  @ApiProperty()
  certificateAvailable: boolean;

  @ApiPropertyOptional({
    description: 'Intake only: true when this is the subject’s open request of the same type, answered with 200',
  })
  duplicate?: boolean;

  @ApiPropertyOptional({ description: 'Extend only: the subject was e-mailed the extension and its reasons' })
  subjectNotified?: boolean;
}

export class ResendResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: [true] })
  resent: true;

  @ApiProperty({ type: 'integer' })
  remainingResends: number;

  @ApiProperty({ format: 'date-time' })
  linkExpiresAt: string;
}

export class PublicRequestAccepted {
  @ApiProperty({ enum: ['accepted'] })
  status: 'accepted';

  @ApiProperty({ description: 'The same whether or not the address is known (Recital 64)' })
  message: string;
}

export class VerifyResponse {
  @ApiProperty({ enum: ['verified', 'duplicate'], description: 'duplicate: an open request of the same type exists' })
  outcome: string;

  @ApiProperty({ format: 'uuid' })
  requestId: string;

  @ApiProperty({ description: 'Authorises GET /public/requests/{id}?token=' })
  statusToken: string;

  @ApiProperty({ description: 'The status page of the request' })
  statusUrl: string;
}

export class SkippedDayView {
  @ApiProperty({ format: 'date' })
  date: string;

  @ApiProperty({ enum: ['saturday', 'sunday', 'public_holiday'] })
  reason: string;

  @ApiPropertyOptional({ description: 'The public holiday, in English' })
  holiday?: string;

  @ApiPropertyOptional({ description: 'The public holiday, in Polish' })
  holidayPl?: string;
}

export class ClockExtensionView {
  @ApiProperty({ type: 'integer' })
  months: number;

  @ApiProperty({ type: 'integer', description: 'Months from receipt, the first included' })
  totalMonths: number;

  @ApiProperty({ format: 'date' })
  nominalEndDate: string;

  @ApiProperty()
  endOfMonthClamped: boolean;

  @ApiProperty({ type: [SkippedDayView] })
  skipped: SkippedDayView[];

  @ApiProperty({ format: 'date' })
  dueDate: string;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;
}

export class ClockResponse {
  @ApiProperty({ format: 'uuid' })
  requestId: string;

  @ApiProperty({ example: 'Europe/Warsaw' })
  zone: string;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ format: 'date' })
  receivedLocalDate: string;

  @ApiProperty({ format: 'date', description: 'Reg. 1182/71 art. 3(1): the day of receipt is not counted' })
  firstDayCounted: string;

  @ApiProperty({ type: 'integer' })
  months: number;

  @ApiProperty({ format: 'date' })
  nominalEndDate: string;

  @ApiProperty()
  endOfMonthClamped: boolean;

  @ApiProperty({ type: [SkippedDayView], description: 'Days the end moved past (art. 3(4))' })
  skipped: SkippedDayView[];

  @ApiProperty({ format: 'date' })
  dueDate: string;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ type: ClockExtensionView, nullable: true })
  extension: ClockExtensionView | null;

  @ApiProperty({ format: 'date', description: 'The date that binds: the extended one if extended' })
  finalDueDate: string;

  @ApiProperty({ format: 'date-time' })
  finalDueAt: string;

  @ApiProperty({ type: String, nullable: true })
  extensionReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  extendedAt: string | null;

  @ApiProperty({ enum: TOLD_BY, nullable: true })
  extensionToldBy: ToldBy | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  extensionToldAt: string | null;

  @ApiProperty()
  canExtend: boolean;

  @ApiPropertyOptional({ enum: ['deadline_passed', 'too_long', 'already_extended'] })
  cannotExtendBecause?: 'deadline_passed' | 'too_long' | 'already_extended';
}

export class CertificateResponse {
  @ApiProperty({ description: 'The erasure certificate, a compact JWS (EdDSA)' })
  certificate: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The JWS payload, decoded' })
  payload: unknown;

  @ApiPropertyOptional()
  kid?: string;

  @ApiPropertyOptional()
  alg?: string;

  @ApiProperty({ description: 'GET it to verify the signature' })
  jwksUrl: string;
}

export class TaskResultAnswer {
  @ApiProperty({ format: 'uuid' })
  taskId: string;

  @ApiProperty({ enum: TASK_STATUSES })
  status: TaskStatus;

  @ApiProperty({ description: 'false: the task had already settled; the answer changed nothing' })
  accepted: boolean;
}

export class PublicRecipientView {
  @ApiProperty()
  name: string;

  @ApiProperty()
  done: boolean;

  @ApiPropertyOptional({ description: 'The data system key, for a system' })
  system?: string;
}

export class PublicRequestStatus {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: REQUEST_TYPES })
  type: (typeof REQUEST_TYPES)[number];

  @ApiProperty({ enum: REQUEST_STATUSES })
  status: (typeof REQUEST_STATUSES)[number];

  @ApiProperty({ enum: RESOLUTIONS, nullable: true })
  resolution: Resolution | null;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ format: 'date-time', description: 'The deadline, extended if it was' })
  dueAt: string;

  @ApiProperty()
  extended: boolean;

  @ApiProperty({ type: 'integer' })
  extensionMonths: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty()
  resultAvailable: boolean;

  @ApiProperty({ type: [PublicRecipientView], description: 'Art. 19: who was told' })
  recipients: PublicRecipientView[];
}

/** Examples for request intake's document (issue 24 item 2); Redocly checks them against the schemas. */
export const INTAKE_REQUEST_EXAMPLE = {
  type: 'access',
  identity: { email: 'anna.nowak@example.com' },
  verified: true,
  receivedAt: '2026-12-06T09:30:00.000Z',
};

export const INTAKE_EXAMPLE = {
  id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  type: 'access',
  status: 'in_progress',
  resolution: null,
  resolutionCode: null,
  resolutionReason: null,
  source: 'api',
  follows: null,
  subjectId: '0b9c3c1e-5a7d-4f5e-9b55-6c1d5f1e0b11',
  locale: 'pl',
  receivedAt: '2026-12-06T09:30:00.000Z',
  verifiedAt: '2026-12-06T09:30:00.000Z',
  verificationWaitSeconds: 0,
  dueAt: '2027-01-07T22:59:59.999Z',
  extensionMonths: 0,
  extendedDueAt: null,
  extensionToldBy: null,
  extensionToldAt: null,
  assessment: null,
  completedAt: null,
  duplicateOf: null,
  deadlineState: 'on_track',
  tasks: [
    {
      id: '2f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b33',
      system: 'shop',
      kind: 'webhook',
      action: 'access',
      status: 'pending',
      found: null,
      attempts: 0,
      lastError: null,
      retainedReason: null,
      retainedUntil: null,
      retainedCategories: null,
      completedAt: null,
    },
  ],
  recipients: [],
  resultAvailable: false,
  certificateAvailable: false,
  duplicate: false,
};
