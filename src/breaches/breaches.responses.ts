import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NOTIFICATION_PHASES, NotificationPhase } from './breach-authority-notification.entity';
import type { BreachEventType } from './breach-event.entity';
import { BREACH_STATUSES, BreachStatus, RISK_ASSESSMENTS, RiskAssessment } from './breach.entity';

/* What the breach routes answer (issue 24); the views in breach.view.ts are typed with these classes. */

export class DeadlineView {
  @ApiProperty({ format: 'date-time', description: '72 hours after awareAt (Art. 33(1))' })
  notifyAuthorityBy: string;

  @ApiProperty({ description: 'False once UODO is notified, the risk is assessed as none, or it is closed' })
  running: boolean;

  @ApiProperty({ type: Number, nullable: true, description: 'Negative when overdue; null when stopped' })
  hoursLeft: number | null;

  @ApiProperty()
  atRisk: boolean;

  @ApiProperty()
  overdue: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  notifiedAt: string | null;

  @ApiProperty({ type: Boolean, nullable: true })
  notifiedLate: boolean | null;
}

export class BreachResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  occurredAt: string | null;

  @ApiProperty({ format: 'date-time' })
  awareAt: string;

  @ApiProperty()
  reportedBy: string;

  @ApiProperty({ type: [String] })
  dataCategories: string[];

  @ApiProperty({ type: [String] })
  subjectCategories: string[];

  @ApiProperty({ type: [String] })
  systems: string[];

  @ApiProperty({ type: 'integer', nullable: true })
  approxSubjects: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  approxRecords: number | null;

  @ApiProperty({ type: String, nullable: true })
  likelyConsequences: string | null;

  @ApiProperty({ type: String, nullable: true })
  measuresTaken: string | null;

  @ApiProperty({ type: String, nullable: true })
  measuresProposed: string | null;

  @ApiProperty({ enum: RISK_ASSESSMENTS, nullable: true })
  riskAssessment: RiskAssessment | null;

  @ApiProperty({ type: String, nullable: true })
  riskReasoning: string | null;

  @ApiProperty({ enum: BREACH_STATUSES })
  status: BreachStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  containedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  authorityNotifiedAt: string | null;

  @ApiProperty({ type: DeadlineView })
  deadline: DeadlineView;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class AuthorityNotificationView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: NOTIFICATION_PHASES })
  phase: NotificationPhase;

  @ApiProperty({ format: 'date-time' })
  sentAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'UODO’s case reference' })
  reference: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Art. 33(1): why later than 72 hours' })
  delayReasons: string | null;

  @ApiProperty()
  late: boolean;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;
}

export class AuthorityNotificationRecorded extends AuthorityNotificationView {
  @ApiProperty({ type: BreachResponse, description: 'The incident after the notification' })
  breach: BreachResponse;
}

export class AuthorityNotificationList {
  @ApiProperty({ type: [AuthorityNotificationView] })
  items: AuthorityNotificationView[];
}

export class AffectedCountsView {
  @ApiProperty({ type: 'integer' })
  total: number;

  @ApiProperty({ type: 'integer', description: 'Handed to the mailer with an Art. 34 notice' })
  sent: number;

  @ApiProperty({ type: 'integer', description: 'Selected, notice not yet handled' })
  pending: number;

  @ApiProperty({ type: 'integer', description: 'Handled with no e-mail address (Art. 34(3)(c))' })
  withoutEmail: number;
}

export class BreachDetail extends BreachResponse {
  @ApiProperty({ type: [AuthorityNotificationView] })
  authorityNotifications: AuthorityNotificationView[];

  @ApiProperty({ type: AffectedCountsView })
  affectedSubjects: AffectedCountsView;
}

export class EventActor {
  @ApiProperty({ example: 'api_key' })
  type: string;

  @ApiProperty()
  id: string;
}

export class BreachEventView {
  @ApiProperty({ description: 'Position in the history (a string: it may exceed 2^53)' })
  seq: string;

  @ApiProperty({
    enum: ['created', 'updated', 'authority_notified', 'subjects_selected', 'subject_notices_requested'],
  })
  type: BreachEventType;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ type: EventActor })
  actor: EventActor;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The fields changed, old and new' })
  data: Record<string, unknown>;
}

export class AffectedSelection {
  @ApiProperty()
  dryRun: boolean;

  @ApiPropertyOptional({ type: 'integer', description: 'A dry run: how many would be selected' })
  count?: number;

  @ApiPropertyOptional({ type: [String], description: 'A dry run: up to 20 subject ids' })
  sample?: string[];

  @ApiPropertyOptional({ type: 'integer', description: 'Recorded: how many were added' })
  selected?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Recorded: how many are selected in all' })
  total?: number;

  @ApiProperty({ type: [String], description: 'Systems that matched the criteria' })
  matchedSystems: string[];

  @ApiProperty({ type: [String] })
  linkedSystems: string[];

  @ApiProperty({ type: [String], description: 'Systems assumed to hold everything (no categories declared)' })
  assumedAllSystems: string[];

  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time' })
  to: string;
}

export class MonthCount {
  @ApiProperty({ example: '2026-01' })
  month: string;

  @ApiProperty({ type: 'integer' })
  count: number;
}

export class RiskCounts {
  @ApiProperty({ type: 'integer' })
  none: number;

  @ApiProperty({ type: 'integer' })
  risk: number;

  @ApiProperty({ type: 'integer' })
  high_risk: number;

  @ApiProperty({ type: 'integer' })
  unassessed: number;
}

export class StatusCounts {
  @ApiProperty({ type: 'integer' })
  open: number;

  @ApiProperty({ type: 'integer' })
  contained: number;

  @ApiProperty({ type: 'integer' })
  notified: number;

  @ApiProperty({ type: 'integer' })
  closed: number;
}

export class HoursDistribution {
  @ApiProperty({ type: 'integer' })
  count: number;

  @ApiProperty({ type: Number, nullable: true })
  median: number | null;

  @ApiProperty({ type: Number, nullable: true })
  p90: number | null;
}

export class DeadlineCounts {
  @ApiProperty({ type: 'integer' })
  atRisk: number;

  @ApiProperty({ type: 'integer' })
  overdue: number;
}

export class BreachStatsResponse {
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  from: string | null;

  @ApiProperty({ format: 'date-time' })
  to: string;

  @ApiProperty({ type: 'integer' })
  total: number;

  @ApiProperty({ type: [MonthCount], description: 'Calendar months in Europe/Warsaw' })
  byMonth: MonthCount[];

  @ApiProperty({ type: RiskCounts })
  byRisk: RiskCounts;

  @ApiProperty({ type: StatusCounts })
  byStatus: StatusCounts;

  @ApiProperty({ type: HoursDistribution })
  hoursToContainment: HoursDistribution;

  @ApiProperty({ type: HoursDistribution })
  hoursToAuthorityNotification: HoursDistribution;

  @ApiProperty({ type: 'integer' })
  notifiedLateCount: number;

  @ApiProperty({ type: DeadlineCounts, description: 'Now, whatever the window' })
  deadlines: DeadlineCounts;
}
