import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ListQuery } from '../common/http/pagination';
import { SYSTEM_KINDS, SystemKind } from './system.entity';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const COUNTRY = /^[A-Z]{2}$/;

export class WebhookDto {
  @ApiProperty({ example: 'https://shop.example.com/zgoda/tasks' })
  @IsUrl({ require_protocol: true, protocols: ['https', 'http'], require_tld: false })
  @MaxLength(2000)
  url: string;

  @ApiProperty({ description: 'Shared secret for x-zgoda-signature; stored encrypted, never returned.' })
  @IsString()
  @MinLength(24)
  @MaxLength(200)
  secret: string;
}

export class WebhookPatchDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['https', 'http'], require_tld: false })
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ description: 'A new secret; the previous one is still accepted on callbacks for 24 hours.' })
  @IsOptional()
  @IsString()
  @MinLength(24)
  @MaxLength(200)
  secret?: string;
}

export class ProcessorDto {
  @ApiProperty({ example: 'Mailer Sp. z o.o.' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'iod@mailer.example.com', description: "The processor's contact (Art. 30(2)(a))." })
  @IsString()
  @Length(1, 300)
  contact: string;

  @ApiProperty({ example: 'PL', description: 'ISO 3166-1 alpha-2 country where the data is processed.' })
  @Matches(COUNTRY, { message: 'country must be an ISO 3166-1 alpha-2 code in capitals' })
  country: string;

  @ApiPropertyOptional({
    example: 'standard contractual clauses (2021/914)',
    description: 'Art. 45-46 safeguards; required outside the EEA.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  transferSafeguards?: string;
}

class SystemFieldsDto {
  @ApiPropertyOptional({ example: ['email', 'order_history'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(SLUG, { each: true, message: 'dataCategories must be slugs' })
  dataCategories?: string[];

  @ApiPropertyOptional({ example: ['order-fulfilment'], description: 'Purpose keys.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(SLUG, { each: true, message: 'purposes must be purpose keys' })
  purposes?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ type: ProcessorDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProcessorDto)
  processor?: ProcessorDto | null;
}

export class CreateSystemDto extends SystemFieldsDto {
  @ApiProperty({ example: 'shop', description: 'A slug, unique and immutable.' })
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'key must be a lower-case slug of 2-63 characters' })
  key: string;

  @ApiProperty({ example: 'Online shop' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: SYSTEM_KINDS })
  @IsIn(SYSTEM_KINDS)
  kind: SystemKind;

  @ApiPropertyOptional({ type: WebhookDto, description: 'Required for kind "webhook".' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookDto)
  webhook?: WebhookDto;
}

export class UpdateSystemDto extends SystemFieldsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ enum: SYSTEM_KINDS })
  @IsOptional()
  @IsIn(SYSTEM_KINDS)
  kind?: SystemKind;

  @ApiPropertyOptional({ type: WebhookPatchDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookPatchDto)
  webhook?: WebhookPatchDto | null;

  @ApiPropertyOptional({ description: 'An inactive system gets no new request tasks.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class SystemListQuery extends ListQuery {}
