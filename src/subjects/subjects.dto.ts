import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { ListQuery } from '../common/http/pagination';
import { IsInstant } from '../common/validation/is-instant';
import { TOLD_OFFLINE, ToldOffline } from '../common/validation/told-by';
import { HOLD_BASES, HoldBasis, RESTRICTION_GROUNDS, SUBJECT_LOCALES, SubjectLocale } from './subject-rules';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
// A data category (`eye_exam_records`) or an event (`complaint_settled`).
const ENTRY_KIND = /^[a-z0-9][a-z0-9_-]{0,99}$/;
const NOT_BLANK = /\S/;
// A reason code for the audit log: letters, digits and separators only, so no free text (and no
// personal data) can travel through it.
const REASON_CODE = /^[a-z0-9_:.-]{1,100}$/;

// Identifier syntax is checked by the normalisers (src/common/identifiers) so the same rules apply to
// every entry point; here only sizes, which bound the work before normalising.
export class CreateSubjectDto {
  @ApiPropertyOptional({ example: 'jan.kowalski@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({
    example: '+48 600 100 200',
    description: 'Normalised to E.164; without a country code: Poland.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  phone?: string;

  @ApiPropertyOptional({ example: 'C-000123', description: 'The id another system uses for the person.' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  externalId?: string;

  @ApiPropertyOptional({ example: 'shop', description: 'Key of the data system the externalId belongs to.' })
  @IsOptional()
  @IsString()
  @Matches(SLUG, { message: 'externalSystem must be a system key (a lower-case slug)' })
  externalSystem?: string;

  @ApiPropertyOptional({ example: 'Jan' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(NOT_BLANK, { message: 'firstName must not be blank' })
  firstName?: string;

  @ApiPropertyOptional({ example: 'Kowalski' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(NOT_BLANK, { message: 'lastName must not be blank' })
  lastName?: string;

  @ApiPropertyOptional({ example: '1990-05-17', description: 'YYYY-MM-DD' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  birthDate?: string;

  @ApiPropertyOptional({ enum: SUBJECT_LOCALES, default: 'pl' })
  @IsOptional()
  @IsIn(SUBJECT_LOCALES)
  locale?: SubjectLocale;
}

/** `null` clears a field (or removes the primary identifier of that kind); an absent field is kept. */
export class UpdateSubjectDto {
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(320) email?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(64) phone?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(400) externalId?: string | null;

  @ApiPropertyOptional({ description: 'Which system the externalId change applies to.' })
  @IsOptional()
  @IsString()
  @Matches(SLUG, { message: 'externalSystem must be a system key (a lower-case slug)' })
  externalSystem?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(NOT_BLANK, { message: 'firstName must not be blank' })
  firstName?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(NOT_BLANK, { message: 'lastName must not be blank' })
  lastName?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(10) birthDate?: string | null;

  @ApiPropertyOptional({ enum: SUBJECT_LOCALES, nullable: true })
  @IsOptional()
  @IsIn(SUBJECT_LOCALES)
  locale?: SubjectLocale | null;
}

/** Exactly one of `email`, `phone`, `externalId`; exact match after normalisation. */
export class SubjectLookupQuery extends ListQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(320) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(400) externalId?: string;

  @ApiPropertyOptional({ description: 'Limit an externalId lookup to one data system.' })
  @IsOptional()
  @IsString()
  @Matches(SLUG, { message: 'system must be a system key (a lower-case slug)' })
  system?: string;
}

export class MergeSubjectsDto {
  @ApiProperty({ description: 'The record that is the same person; it is merged into the one in the path.' })
  @IsUUID()
  mergedId: string;
}

export class RestrictSubjectDto {
  @ApiProperty({ enum: RESTRICTION_GROUNDS, description: 'The ground of Art. 18(1)(a)-(d).' })
  @IsIn(RESTRICTION_GROUNDS)
  reason: (typeof RESTRICTION_GROUNDS)[number];
}

/** DELETE /v1/subjects/{id}/restriction: for a subject Zgoda cannot e-mail, how staff told them (Art. 18(3)). */
export class LiftRestrictionDto {
  @ApiPropertyOptional({ enum: TOLD_OFFLINE, description: 'How the subject was told; with toldAt' })
  @ValidateIf((o: LiftRestrictionDto) => o.toldAt !== undefined || o.toldBy !== undefined)
  @IsIn(TOLD_OFFLINE)
  toldBy?: ToldOffline;

  @ApiPropertyOptional({ description: 'When (with offset); not in the future', format: 'date-time' })
  @ValidateIf((o: LiftRestrictionDto) => o.toldAt !== undefined || o.toldBy !== undefined)
  @IsInstant()
  toldAt?: string;
}

export class AddHoldDto {
  @ApiProperty({ example: 'Litigation, case ref. I C 123/25', description: 'Stored encrypted; shown to staff only.' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;

  @ApiProperty({
    enum: HOLD_BASES,
    description:
      'The Art. 17(3) ground: (a) freedom_of_expression, (b) legal_obligation, (c) public_health, ' +
      '(d) archiving_research, (e) legal_claims. Stated on erasure certificates.',
  })
  @IsIn(HOLD_BASES)
  legalBasis: HoldBasis;

  @ApiPropertyOptional({
    type: [String],
    example: ['eye_exam_records', 'invoices'],
    description:
      'Data categories kept (as the data systems name them); omitted or empty: everything. An erasure erases the rest.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(ENTRY_KIND, { each: true, message: 'each category must be a key (lower case, digits, _ and -)' })
  categories?: string[];

  @ApiPropertyOptional({ description: 'When the hold ends by itself (with offset); omitted: until released.' })
  @IsOptional()
  @IsInstant()
  until?: string;

  @ApiPropertyOptional({ deprecated: true, description: 'The earlier name of `until`.' })
  @IsOptional()
  @IsInstant()
  endsAt?: string;
}

export class RecordActivityDto {
  @ApiPropertyOptional({ description: 'When it happened (with offset); default now. Never moves backwards.' })
  @IsOptional()
  @IsInstant()
  at?: string;

  @ApiPropertyOptional({
    example: 'eye_exam_records',
    description:
      'Omitted: activity of the subject (retention counts inactivity from it). Else what a data system reports: the ' +
      'last entry of a data category (e.g. eye_exam_records, accounting_records) or an event (complaint_settled, ' +
      'contract_ended); retention periods of that kind run from it.',
  })
  @IsOptional()
  @Matches(ENTRY_KIND, { message: 'kind must be a data category or event key (lower case, digits, _ and -)' })
  kind?: string;

  @ApiPropertyOptional({ example: 'medical-records', description: 'Key of the data system reporting it.' })
  @IsOptional()
  @Matches(SLUG, { message: 'system must be a system key (a lower-case slug)' })
  system?: string;
}

export class EraseSubjectDto {
  @ApiProperty({ example: 'staff:duplicate-test-record', description: 'A reason code, recorded in the audit log.' })
  @IsString()
  @Matches(REASON_CODE, { message: 'reason must be a code: a-z, 0-9 and _ : . -' })
  reason: string;
}
