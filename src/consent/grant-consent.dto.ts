import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInstant } from '../common/validation/is-instant';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEnum,
  IsInt,
  IsIP,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  Channel,
  ConsentDecision,
  ExpressedBy,
  LOCALE_PATTERN,
  PURPOSE_KEY_PATTERN,
  SourceMethod,
} from './consent.types';

export class ConsentSourceDto {
  @ApiProperty({ enum: SourceMethod })
  @IsEnum(SourceMethod)
  method: SourceMethod;

  @ApiPropertyOptional({ description: 'Store, form or system id; not a person', example: 'store-warszawa-01' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  location?: string;

  @ApiPropertyOptional({ description: 'Id of the staff member who recorded it' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  staffId?: string;
}

/** Art. 8: who gave consent on a child's behalf. Personal data: kept only in the sealed evidence. */
export class GuardianDto {
  @ApiProperty({ example: 'Jan Kowalski', description: 'The guardian’s name' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ example: 'ojciec', description: 'How they hold parental responsibility' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  relation?: string;

  @ApiPropertyOptional({ description: 'Identity document checked by staff (type and last digits, not a scan)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  document?: string;
}

/** Kept sealed, apart from the event, and destroyed on erasure. */
export class ConsentEvidenceDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  formId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  @MaxLength(2000)
  pageUrl?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsIP()
  ip?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  userAgent?: string;

  @ApiPropertyOptional({
    description: 'SHA-256 (hex) of the signed document kept elsewhere, e.g. the scan of a paper form',
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'documentSha256 must be a SHA-256 in lower-case hex' })
  documentSha256?: string;

  @ApiPropertyOptional({
    description: 'Where that document is kept (the document system, http(s) or s3)',
    example: 'https://dms.example.com/forms/KRK-2025-0007.pdf',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https', 's3'] })
  @MaxLength(2000)
  documentUrl?: string;
}

export class GrantConsentDto {
  @ApiProperty({ example: 'newsletter' })
  @IsString()
  @Length(1, 64)
  @Matches(PURPOSE_KEY_PATTERN, { message: 'purpose must be a purpose key' })
  purpose: string;

  @ApiProperty({ enum: Channel })
  @IsEnum(Channel)
  channel: Channel;

  @ApiProperty({
    description: 'The published text version the person saw (0 and below: texts brought in with an import)',
    example: 1,
  })
  @IsInt()
  @Min(-1_000_000)
  version: number;

  @ApiProperty({ example: 'pl' })
  @IsString()
  @Matches(LOCALE_PATTERN)
  locale: string;

  @ApiProperty({ enum: ConsentDecision })
  @IsEnum(ConsentDecision)
  decision: ConsentDecision;

  @ApiProperty({ type: ConsentSourceDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentSourceDto)
  source: ConsentSourceDto;

  @ApiPropertyOptional({ enum: ExpressedBy, default: ExpressedBy.Subject })
  @IsOptional()
  @IsEnum(ExpressedBy)
  expressedBy?: ExpressedBy;

  @ApiPropertyOptional({
    type: GuardianDto,
    description: 'Required with expressedBy "guardian": who consented for the child (sealed with the evidence)',
  })
  @ValidateIf((o: GrantConsentDto) => o.expressedBy === ExpressedBy.Guardian || o.guardian !== undefined)
  @IsDefined({ message: 'guardian (name) is required when expressedBy is guardian' })
  @IsObject()
  @ValidateNested()
  @Type(() => GuardianDto)
  guardian?: GuardianDto;

  @ApiPropertyOptional({ type: ConsentEvidenceDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentEvidenceDto)
  evidence?: ConsentEvidenceDto;

  @ApiPropertyOptional({ description: 'RFC 3339; a grant lapses then (capped by the purpose validityDays)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When the person expressed it, with offset (a paper form signed earlier); default now. Not in the future, ' +
      'not before the text version was published. Validity, receipts, history and as-of views count from it; ' +
      '`recordedAt` stays the time Zgoda stored it.',
  })
  @IsOptional()
  @IsInstant()
  occurredAt?: string;
}

export class SubjectRefDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  phone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(400)
  externalId?: string;
}

export class GrantConsentByIdentifierDto extends GrantConsentDto {
  @ApiProperty({
    type: SubjectRefDto,
    description: 'Found by externalId, then email, then phone; created when unknown',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => SubjectRefDto)
  subject: SubjectRefDto;
}

export class AsOfQuery {
  @ApiPropertyOptional({ description: 'RFC 3339: the state as it was then, rebuilt from the events' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}
