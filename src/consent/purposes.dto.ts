import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { Channel, LegalBasis, LOCALE_PATTERN, PURPOSE_KEY_PATTERN, SpecialCategoryBasis } from './consent.types';
import { Purpose } from './purpose.entity';
import type { PurposeResponse, TextResponse } from './purposes.responses';

const MAX_ITEMS = 100;
const ITEM = 300;

class PurposeFieldsDto {
  @ApiProperty({ example: 'Newsletter' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiProperty({ enum: LegalBasis })
  @IsEnum(LegalBasis)
  legalBasis: LegalBasis;

  @ApiPropertyOptional({ enum: SpecialCategoryBasis, description: 'Art. 9(2) exception, for special-category data' })
  @IsOptional()
  @IsEnum(SpecialCategoryBasis)
  specialCategoryBasis?: SpecialCategoryBasis;

  @ApiProperty({ type: [String], example: ['contact'] })
  @IsArray()
  @ArrayMaxSize(MAX_ITEMS)
  @IsString({ each: true })
  @Length(1, ITEM, { each: true })
  dataCategories: string[];

  @ApiProperty({ type: [String], example: ['customers'] })
  @IsArray()
  @ArrayMaxSize(MAX_ITEMS)
  @IsString({ each: true })
  @Length(1, ITEM, { each: true })
  subjectCategories: string[];

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(MAX_ITEMS)
  @IsString({ each: true })
  @Length(1, ITEM, { each: true })
  recipients: string[];

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(MAX_ITEMS)
  @IsString({ each: true })
  @Length(1, ITEM, { each: true })
  processors: string[];

  @ApiProperty({ type: [String], description: 'Third-country transfers and their safeguards' })
  @IsArray()
  @ArrayMaxSize(MAX_ITEMS)
  @IsString({ each: true })
  @Length(1, ITEM, { each: true })
  transfers: string[];

  @ApiProperty({ enum: Channel, isArray: true })
  @IsArray()
  @ArrayUnique()
  @IsEnum(Channel, { each: true })
  channels: Channel[];

  @ApiPropertyOptional({ default: 16 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  minimumAge?: number;

  @ApiPropertyOptional({ description: 'A grant lapses this many days after it was given (LEGAL item 9)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36500)
  validityDays?: number;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  doubleOptIn?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Direct marketing: objections and suppression apply' })
  @IsOptional()
  @IsBoolean()
  marketing?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Sale, sharing or targeted advertising: GPC refuses it' })
  @IsOptional()
  @IsBoolean()
  saleOrSharing?: boolean;

  @ApiPropertyOptional({ description: 'Retention in words, for texts and receipts', example: 'until withdrawal' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  retention?: string;

  @ApiPropertyOptional({
    description:
      'Automated decision-making, including profiling (Art. 15(1)(h), 22): the logic, its significance and ' +
      'consequences, in words; omitted or null: none. Shown in access reports.',
    example: 'Offers are chosen by purchase history; no decision with legal or similar effect is made.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  automatedDecisions?: string;
}

export class CreatePurposeDto extends PurposeFieldsDto {
  @ApiProperty({ example: 'newsletter', description: 'Slug; unique and immutable' })
  @IsString()
  @Length(1, 64)
  @Matches(PURPOSE_KEY_PATTERN, { message: 'key must be a lower-case slug' })
  key: string;
}

/** `key` is not here, so a PATCH that tries to change it is refused as an unknown field. */
export class UpdatePurposeDto extends PartialType(PurposeFieldsDto) {}

export class CreateTextDto {
  @ApiPropertyOptional({ description: 'Add a locale to this draft version; omit to start a new version' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;

  @ApiProperty({ example: 'pl' })
  @IsString()
  @Matches(LOCALE_PATTERN, { message: 'locale must look like pl or en-GB' })
  locale: string;

  @ApiProperty()
  @IsString()
  @Length(1, 300)
  title: string;

  @ApiProperty({ description: 'Handlebars template; see docs/consent.md for the variables' })
  @IsString()
  @Length(1, 100_000)
  body: string;
}

export class PublishTextDto {
  @ApiPropertyOptional({ description: 'Consents given to earlier versions stop counting' })
  @IsOptional()
  @IsBoolean()
  requiresReconsent?: boolean;
}

export class LocaleQuery {
  @ApiProperty({ example: 'pl' })
  @IsString()
  @Matches(LOCALE_PATTERN)
  locale: string;
}

export const purposeView = (p: Purpose): PurposeResponse => ({
  id: p.id,
  key: p.key,
  name: p.name,
  description: p.description,
  legalBasis: p.legalBasis,
  specialCategoryBasis: p.specialCategoryBasis,
  dataCategories: p.dataCategories,
  subjectCategories: p.subjectCategories,
  recipients: p.recipients,
  processors: p.processors,
  transfers: p.transfers,
  channels: p.channels,
  minimumAge: p.minimumAge,
  validityDays: p.validityDays,
  doubleOptIn: p.doubleOptIn,
  marketing: p.marketing,
  saleOrSharing: p.saleOrSharing,
  retention: p.retention,
  automatedDecisions: p.automatedDecisions,
  currentVersion: p.currentVersion,
  reconsentFromVersion: p.reconsentFromVersion,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export class UpdateTextDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 300)
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100_000)
  body?: string;
}

export const textView = (t: {
  version: number;
  locale: string;
  title: string;
  body: string;
  rendered: string | null;
  sha256: string | null;
  publishedAt: Date | null;
  requiresReconsent: boolean;
  imported?: boolean;
}): TextResponse => ({
  version: t.version,
  locale: t.locale,
  status: t.publishedAt ? 'published' : 'draft',
  title: t.title,
  body: t.body,
  rendered: t.rendered,
  sha256: t.sha256,
  requiresReconsent: t.requiresReconsent,
  publishedAt: t.publishedAt?.toISOString() ?? null,
  /** Brought in with an import (issue 14): the words shown before Zgoda, version 0 or below. */
  imported: t.imported ?? false,
});
