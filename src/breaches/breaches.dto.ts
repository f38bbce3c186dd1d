import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { queryBool } from '../common/validation/query-bool';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { ListQuery } from '../common/http/pagination';
import type { BreachInput } from './breach-changes';
import { NOTIFICATION_PHASES, NotificationPhase } from './breach-authority-notification.entity';
import { BREACH_STATUSES, BreachStatus, RISK_ASSESSMENTS, RiskAssessment } from './breach.entity';

const KEY = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const TEXT_MAX = 10_000;
/** Optional and nullable: `null` clears the field. */
const Nullable = () => ValidateIf((_o, v) => v !== null);

class BreachFieldsDto {
  @ApiPropertyOptional({
    description:
      'When the breach was contained; setting it moves an open incident to contained. Defaults to now when a PATCH sets status contained.',
  })
  @IsOptional()
  @Nullable()
  @IsISO8601({ strict: true })
  containedAt?: string | null;

  @ApiPropertyOptional({ description: 'When the breach happened, if known (RFC 3339).' })
  @IsOptional()
  @Nullable()
  @IsISO8601({ strict: true })
  occurredAt?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['email', 'order_history'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(KEY, { each: true })
  dataCategories?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Art. 33(3)(a) categories of subjects.', example: ['customers'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(KEY, { each: true })
  subjectCategories?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Keys of the data systems involved.', example: ['shop-db'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(KEY, { each: true })
  systems?: string[];

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @Nullable()
  @IsInt()
  @Min(0)
  approxSubjects?: number | null;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @Nullable()
  @IsInt()
  @Min(0)
  approxRecords?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @Nullable()
  @IsString()
  @MaxLength(TEXT_MAX)
  likelyConsequences?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @Nullable()
  @IsString()
  @MaxLength(TEXT_MAX)
  measuresTaken?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @Nullable()
  @IsString()
  @MaxLength(TEXT_MAX)
  measuresProposed?: string | null;

  @ApiPropertyOptional({ enum: RISK_ASSESSMENTS, nullable: true })
  @IsOptional()
  @Nullable()
  @IsIn(RISK_ASSESSMENTS)
  riskAssessment?: RiskAssessment | null;

  @ApiPropertyOptional({ description: 'Required whenever riskAssessment is set (Art. 33(5)).' })
  @IsOptional()
  @Nullable()
  @IsString()
  @MaxLength(TEXT_MAX)
  riskReasoning?: string | null;
}

export class CreateBreachDto extends BreachFieldsDto {
  @ApiProperty({ description: 'What happened. Describe the incident, not the people: no personal data.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  description: string;

  @ApiProperty({ description: 'When the controller became aware (RFC 3339); the 72 hours run from here.' })
  @IsISO8601({ strict: true })
  awareAt: string;

  @ApiProperty({ description: "A role or staff id ('IT', 'helpdesk'), not a name.", example: 'IT' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reportedBy: string;
}

export class UpdateBreachDto extends BreachFieldsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  description?: string;

  @ApiPropertyOptional({ description: 'Cannot change once the authority has been notified.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  awareAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reportedBy?: string;

  @ApiPropertyOptional({
    enum: [BreachStatus.Contained, BreachStatus.Closed],
    description: '`notified` is set by recording the notification to the authority.',
  })
  @IsOptional()
  @IsIn([BreachStatus.Contained, BreachStatus.Closed])
  status?: BreachStatus.Contained | BreachStatus.Closed;

  @ApiPropertyOptional({ description: 'With status: closed; defaults to now.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  closedAt?: string;
}

export class ListBreachesQuery extends ListQuery {
  @ApiPropertyOptional({ enum: BREACH_STATUSES }) @IsOptional() @IsIn(BREACH_STATUSES) status?: BreachStatus;
  @ApiPropertyOptional({ enum: RISK_ASSESSMENTS })
  @IsOptional()
  @IsIn(RISK_ASSESSMENTS)
  riskAssessment?: RiskAssessment;
  @ApiPropertyOptional({ description: 'Clock running and the 72 hours passed.' })
  @IsOptional()
  @Transform(queryBool)
  @IsBoolean()
  overdue?: boolean;
  @ApiPropertyOptional({ description: 'Clock running with at most 24 hours left.' })
  @IsOptional()
  @Transform(queryBool)
  @IsBoolean()
  atRisk?: boolean;
  @ApiPropertyOptional({ description: 'awareAt on or after' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: 'awareAt before' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

export class AuthorityNotificationDto {
  @ApiProperty({ description: 'When the notification was sent to UODO (RFC 3339).' })
  @IsISO8601({ strict: true })
  sentAt: string;

  @ApiProperty({ enum: NOTIFICATION_PHASES, description: 'Art. 33(4): information may be provided in phases.' })
  @IsIn(NOTIFICATION_PHASES)
  phase: NotificationPhase;

  @ApiPropertyOptional({ description: "UODO's case number." })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reference?: string;

  @ApiPropertyOptional({ description: 'Required when the first notification is later than 72 hours (Art. 33(1)).' })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  delayReasons?: string;
}

export class SelectAffectedSubjectsDto {
  @ApiPropertyOptional({ type: [String], description: "Defaults to the incident's systems." })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(KEY, { each: true })
  systems?: string[];

  @ApiPropertyOptional({ type: [String], description: "Defaults to the incident's data categories." })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(KEY, { each: true })
  dataCategories?: string[];

  @ApiPropertyOptional({ description: 'Window start; defaults to occurredAt, else awareAt.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Window end; defaults to containedAt, else now.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'Preview: the count and a sample of ids; nothing is recorded.' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ description: 'Must be true to record the selection (the people Art. 34 notices go to).' })
  @IsOptional()
  @IsBoolean()
  confirm?: boolean;
}

export class BreachStatsQuery {
  @ApiPropertyOptional({ description: 'awareAt on or after (default: all)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'awareAt before (default: now)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuthorityReportQuery {
  @ApiPropertyOptional({ enum: ['html', 'pdf'], default: 'html' })
  @IsOptional()
  @IsIn(['html', 'pdf'])
  format: 'html' | 'pdf' = 'html';
}

const date = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));

/** DTO strings to the domain's dates; `undefined` (absent) and `null` (clear it) stay distinct. */
export function toInput(dto: CreateBreachDto | UpdateBreachDto): BreachInput {
  const { occurredAt, awareAt, containedAt, closedAt, ...rest } = dto as UpdateBreachDto;
  const input: BreachInput = { ...rest };
  if (occurredAt !== undefined) input.occurredAt = date(occurredAt);
  if (awareAt !== undefined) input.awareAt = new Date(awareAt);
  if (containedAt !== undefined) input.containedAt = date(containedAt);
  if (closedAt !== undefined) input.closedAt = new Date(closedAt);
  return input;
}
