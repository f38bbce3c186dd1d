import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsEnum, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { Channel, PURPOSE_KEY_PATTERN } from './consent.types';

export const MAX_BATCH = 10_000;

export class DecisionQuery {
  @ApiProperty({ example: 'newsletter' })
  @IsString()
  @Length(1, 64)
  @Matches(PURPOSE_KEY_PATTERN)
  purpose: string;

  @ApiProperty({ enum: Channel })
  @IsEnum(Channel)
  channel: Channel;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  subjectId?: string;

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

/** Exactly one list; at most 10,000 entries (more: 413 batch_too_large). */
export class BatchDecisionDto {
  @ApiProperty({ example: 'newsletter' })
  @IsString()
  @Length(1, 64)
  @Matches(PURPOSE_KEY_PATTERN)
  purpose: string;

  @ApiProperty({ enum: Channel })
  @IsEnum(Channel)
  channel: Channel;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsUUID(undefined, { each: true })
  subjectIds?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  emails?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  phones?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(400, { each: true })
  externalIds?: string[];
}

export class AudienceQuery {
  @ApiProperty({ enum: Channel })
  @IsEnum(Channel)
  channel: Channel;
}
