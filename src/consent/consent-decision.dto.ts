import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsEnum, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { queryBool } from '../common/validation/query-bool';
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

  @ApiPropertyOptional({
    description: 'Keep the decision in the decision log before answering (GET /v1/decisions/{decisionId})',
  })
  @IsOptional()
  @Transform(queryBool)
  @IsBoolean()
  record?: boolean;
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

  @ApiPropertyOptional({
    description: 'Keep the answers in the decision log before answering (GET /v1/decisions/{decisionId}/results)',
  })
  @IsOptional()
  @IsBoolean()
  record?: boolean;
}

export class AudienceQuery {
  @ApiProperty({ enum: Channel })
  @IsEnum(Channel)
  channel: Channel;
}
