import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { ListQuery } from '../common/http/pagination';
import { RETENTION_TRIGGERS, RetentionTrigger } from './retention-due';
import { RETENTION_ACTIONS, RetentionAction } from './retention.types';

// The same slugs as data systems' categories and purpose keys, so a policy names what a system declares.
const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const given = (v: unknown) => v !== undefined && v !== null;

export class CreatePolicyDto {
  @ApiProperty({ example: 'customer-contact', description: 'A slug, unique and immutable.' })
  @Matches(SLUG, { message: 'key must be a slug (lower-case letters, digits, - and _)' })
  key: string;

  @ApiPropertyOptional({
    type: String,
    example: 'contact_data',
    nullable: true,
    description: 'The data category governed, as data systems declare it. Exactly one of dataCategory and purpose.',
  })
  @ValidateIf((o: CreatePolicyDto) => given(o.dataCategory))
  @Matches(SLUG, { message: 'dataCategory must be a slug' })
  dataCategory?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: 'newsletter',
    nullable: true,
    description: 'The purpose whose data is governed (a purpose key). Exactly one of dataCategory and purpose.',
  })
  @ValidateIf((o: CreatePolicyDto) => given(o.purpose))
  @Matches(SLUG, { message: 'purpose must be a purpose key' })
  purpose?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: 'zgoda',
    nullable: true,
    description: "The data system holding the data (a system key); absent or null: Zgoda's own records.",
  })
  @ValidateIf((o: CreatePolicyDto) => given(o.system))
  @Matches(SLUG, { message: 'system must be a system key' })
  system?: string | null;

  @ApiProperty({ enum: RETENTION_TRIGGERS })
  @IsIn(RETENTION_TRIGGERS)
  trigger: RetentionTrigger;

  @ApiProperty({ example: 'P2Y', description: 'ISO 8601 duration in whole units (P5Y, P1Y6M, P30D).' })
  @IsString()
  @Length(2, 40)
  period: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Run the period to the end of the calendar year in which it ends (art. 118 k.c.).',
  })
  @IsOptional()
  @IsBoolean()
  roundToYearEnd?: boolean;

  @ApiProperty({ enum: RETENTION_ACTIONS })
  @IsIn(RETENTION_ACTIONS)
  action: RetentionAction;

  @ApiProperty({ example: 'art. 6 ust. 1 lit. f RODO; 2 lata od ostatniego kontaktu' })
  @IsString()
  @Length(1, 1000)
  legalBasis: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'DPO',
    description: 'A role or a department, not a person.',
  })
  @ValidateIf((o: CreatePolicyDto) => given(o.owner))
  @IsString()
  @Length(1, 200)
  owner?: string | null;

  @ApiPropertyOptional({ default: true, description: 'Only active policies are enforced and printed in the register.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

/** PATCH: absent leaves a field alone, null clears an optional one; the key never changes. */
export class UpdatePolicyDto extends PartialType(OmitType(CreatePolicyDto, ['key'] as const)) {}

export class PolicyListQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Only active (true) or inactive (false) policies.' })
  @IsOptional()
  @IsIn(['true', 'false'])
  active?: 'true' | 'false';
}
