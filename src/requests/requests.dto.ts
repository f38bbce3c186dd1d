import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ListQuery } from '../common/http/pagination';
import { IsInstant } from '../common/validation/is-instant';
import { TOLD_OFFLINE, ToldOffline } from '../common/validation/told-by';
import {
  OBJECTION_OUTCOMES,
  ObjectionOutcome,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  RequestStatus,
  RequestType,
} from './request.types';

export class IdentityDto {
  @ApiPropertyOptional({ example: 'anna.nowak@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+48600100200' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ example: 'C-1042' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  externalId?: string;
}

export class CreateRequestDto {
  @ApiProperty({ enum: REQUEST_TYPES })
  @IsIn(REQUEST_TYPES)
  type: RequestType;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('4')
  subjectId?: string;

  @ApiPropertyOptional({ type: IdentityDto, description: 'Instead of subjectId: exactly one identifier already held' })
  @IsOptional()
  @ValidateNested()
  @Type(() => IdentityDto)
  identity?: IdentityDto;

  @ApiPropertyOptional({
    description:
      'Staff checked the identity (in a store, by a signed letter); otherwise a link is mailed to the e-mail held.',
  })
  @IsOptional()
  @IsBoolean()
  verified?: boolean;

  @ApiPropertyOptional({
    description: 'When the request arrived (post, store); the legal clock runs from it; not in the future',
  })
  @IsOptional()
  @IsInstant()
  receivedAt?: string;

  @ApiPropertyOptional({ description: "The subject's own words; stored sealed" })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  details?: string;

  @ApiPropertyOptional({
    description:
      'Rectification: field -> new value (null clears): email, phone, externalId, firstName, lastName, birthDate, locale',
    example: { lastName: 'Kowalska' },
  })
  @IsOptional()
  @IsObject()
  changes?: Record<string, string | null>;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Objection: purpose keys (Art. 21(1)); none or "direct_marketing" is an objection to direct marketing, effective at once',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(/^[a-z0-9_-]{1,100}$/, { each: true })
  purposes?: string[];

  @ApiPropertyOptional({ enum: ['pl', 'en'], description: "Language of the notices; default the subject's" })
  @IsOptional()
  @IsIn(['pl', 'en'])
  locale?: 'pl' | 'en';
}

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export const REQUEST_SORTS = ['received', 'due'] as const;
export type RequestSort = (typeof REQUEST_SORTS)[number];

export class ListRequestsQuery extends ListQuery {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES)
  status?: RequestStatus;

  @ApiPropertyOptional({ enum: REQUEST_TYPES })
  @IsOptional()
  @IsIn(REQUEST_TYPES)
  type?: RequestType;

  @ApiPropertyOptional({ description: 'Only open requests past their deadline' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({
    description: 'Only open requests due within REQUEST_AT_RISK_DAYS (7) and not yet overdue (the DPO digest counts)',
  })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  atRisk?: boolean;

  @ApiPropertyOptional({
    enum: REQUEST_SORTS,
    default: 'received',
    description:
      '`received`: newest first. `due`: open requests only, the binding deadline (extended one if any) first, ' +
      'for a work queue; its cursor is keyed on (deadline, id).',
  })
  @IsOptional()
  @IsIn(REQUEST_SORTS)
  sort?: RequestSort;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('4')
  subjectId?: string;
}

export class ExtendRequestDto {
  @ApiProperty({ enum: [1, 2], description: 'Further months (Art. 12(3)); never beyond three from receipt' })
  @IsIn([1, 2])
  months: 1 | 2;

  @ApiProperty({ description: 'Told to the subject (Art. 12(3): "together with the reasons")' })
  @IsString()
  @Length(3, 2000)
  reason: string;

  @ApiPropertyOptional({
    enum: TOLD_OFFLINE,
    description: 'Required when Zgoda cannot e-mail the subject (else 409 subject_cannot_be_told): how staff told them',
  })
  @ValidateIf((o: ExtendRequestDto) => o.toldAt !== undefined || o.toldBy !== undefined)
  @IsIn(TOLD_OFFLINE)
  toldBy?: ToldOffline;

  @ApiPropertyOptional({
    description: 'When the subject was told (with offset); not in the future',
    format: 'date-time',
  })
  @ValidateIf((o: ExtendRequestDto) => o.toldAt !== undefined || o.toldBy !== undefined)
  @IsInstant()
  toldAt?: string;
}

export class AssessObjectionDto {
  @ApiProperty({
    enum: OBJECTION_OUTCOMES,
    description:
      'upheld: the purposes stay stopped; compelling_grounds: compelling legitimate grounds override the objection (Art. 21(1)) and processing resumes',
  })
  @IsIn(OBJECTION_OUTCOMES)
  outcome: ObjectionOutcome;

  @ApiProperty({ description: 'Told to the subject; stored sealed' })
  @IsString()
  @Length(3, 2000)
  reasons: string;

  @ApiPropertyOptional({
    enum: TOLD_OFFLINE,
    description: 'Required when Zgoda cannot e-mail the subject (else 409 subject_cannot_be_told)',
  })
  @ValidateIf((o: AssessObjectionDto) => o.toldAt !== undefined || o.toldBy !== undefined)
  @IsIn(TOLD_OFFLINE)
  toldBy?: ToldOffline;

  @ApiPropertyOptional({ description: 'When the subject was told (with offset)', format: 'date-time' })
  @ValidateIf((o: AssessObjectionDto) => o.toldAt !== undefined || o.toldBy !== undefined)
  @IsInstant()
  toldAt?: string;
}

export class RecipientToldDto {
  @ApiProperty({ description: 'The recipient as listed in the request’s `recipients`', example: 'Mailer sp. z o.o.' })
  @IsString()
  @Length(1, 300)
  name: string;

  @ApiProperty({ enum: ['email', ...TOLD_OFFLINE], description: 'How the recipient was told (Art. 19)' })
  @IsIn(['email', ...TOLD_OFFLINE])
  toldBy: 'email' | ToldOffline;

  @ApiProperty({ description: 'When (with offset); not in the future', format: 'date-time' })
  @IsInstant()
  toldAt: string;
}

export class RejectRequestDto {
  @ApiProperty({ description: 'Told to the subject with the UODO complaint notice (Art. 12(4))' })
  @IsString()
  @Length(3, 2000)
  reason: string;
}

export class TaskResultDto {
  @ApiProperty({ enum: ['done', 'failed', 'retained'] })
  @IsIn(['done', 'failed', 'retained'])
  status: 'done' | 'failed' | 'retained';

  @ApiPropertyOptional({ description: 'Access: { <category>: row | rows }' })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Why data was kept (Art. 17(3)) or why it failed; no personal data' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true })
  retainedUntil?: string;

  @ApiPropertyOptional({
    description: 'false: the system holds nothing about the person (certified as "no data found", not "erased")',
  })
  @IsOptional()
  @IsBoolean()
  found?: boolean;
}
