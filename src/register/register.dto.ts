import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import {
  REGISTER_FORMATS,
  REGISTER_LANGS,
  REGISTER_ROLES,
  RegisterFormat,
  RegisterLang,
  RegisterRole,
} from './register-columns';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const TEXT = 2000;

export class PartyDto {
  @ApiProperty({ example: 'Optyk Przykładowy sp. z o.o.' })
  @IsString()
  @Length(1, 300)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'biuro@example.com, +48 12 000 00 00' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  contact?: string | null;
}

export class DpoDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Inspektor Ochrony Danych' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'iod@example.com' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  contact?: string | null;
}

export class JointControllerDto extends PartyDto {
  @ApiPropertyOptional({ type: [String], description: 'Purpose keys; empty or absent: every activity.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(SLUG, { each: true, message: 'purposes must be purpose keys' })
  purposes?: string[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Art. 26(1): who answers for what.',
  })
  @IsOptional()
  @IsString()
  @Length(1, TEXT)
  responsibilities?: string | null;
}

export class ProcessorClientDto extends PartyDto {
  @ApiPropertyOptional({ type: PartyDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartyDto)
  representative?: PartyDto | null;

  @ApiPropertyOptional({ type: PartyDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartyDto)
  dpo?: PartyDto | null;

  @ApiProperty({ type: [String], description: 'Purpose keys of the processing done on behalf of this controller.' })
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(SLUG, { each: true, message: 'purposes must be purpose keys' })
  purposes: string[];
}

export class SecurityMeasuresDto {
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 10_000)
  pl?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 10_000)
  en?: string | null;
}

/** PUT replaces the whole block; an absent or null field falls back to the environment or the default. */
export class ControllerSettingsDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Default: env CONTROLLER_NAME.' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  address?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  contact?: string | null;

  @ApiPropertyOptional({ type: DpoDto, nullable: true, description: 'Default: env DPO_NAME and DPO_EMAIL.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DpoDto)
  dpo?: DpoDto | null;

  @ApiPropertyOptional({ type: PartyDto, nullable: true, description: 'Art. 27 representative in the Union.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartyDto)
  representative?: PartyDto | null;

  @ApiPropertyOptional({ type: [JointControllerDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => JointControllerDto)
  jointControllers?: JointControllerDto[];

  @ApiPropertyOptional({ type: [ProcessorClientDto], description: 'Art. 30(2): controllers served as processor.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => ProcessorClientDto)
  processorClients?: ProcessorClientDto[];

  @ApiPropertyOptional({ type: SecurityMeasuresDto, nullable: true, description: 'Default: what Zgoda itself does.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SecurityMeasuresDto)
  securityMeasures?: SecurityMeasuresDto | null;
}

/** PUT replaces the details of one activity; null or absent clears a field. */
export class ActivityDetailsDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Dział obsługi klienta' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  organisationalUnit?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'od osoby, której dane dotyczą' })
  @IsOptional()
  @IsString()
  @Length(1, TEXT)
  dataSource?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'DPIA-2025-03' })
  @IsOptional()
  @IsString()
  @Length(1, TEXT)
  dpiaReference?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Replaces the controller-wide description for this activity.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 10_000)
  securityMeasures?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Art. 30(1)(e): safeguards documented under Art. 49(1).',
  })
  @IsOptional()
  @IsString()
  @Length(1, TEXT)
  transferDocumentation?: string | null;
}

export class RegisterQuery {
  @ApiPropertyOptional({ enum: REGISTER_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REGISTER_FORMATS)
  format?: RegisterFormat;

  @ApiPropertyOptional({ enum: REGISTER_LANGS, default: 'pl' })
  @IsOptional()
  @IsIn(REGISTER_LANGS)
  lang?: RegisterLang;

  @ApiPropertyOptional({ enum: REGISTER_ROLES, default: 'controller' })
  @IsOptional()
  @IsIn(REGISTER_ROLES)
  role?: RegisterRole;
}

export class RegisterChangesQuery {
  @ApiPropertyOptional({ enum: REGISTER_LANGS, default: 'pl' })
  @IsOptional()
  @IsIn(REGISTER_LANGS)
  lang?: RegisterLang;

  @ApiPropertyOptional({ enum: REGISTER_ROLES, default: 'controller' })
  @IsOptional()
  @IsIn(REGISTER_ROLES)
  role?: RegisterRole;
}

export class SignOffDto {
  @ApiPropertyOptional({ enum: REGISTER_ROLES, default: 'controller' })
  @IsOptional()
  @IsIn(REGISTER_ROLES)
  role?: RegisterRole;

  @ApiPropertyOptional({ description: 'What the DPO reviewed; no personal data.' })
  @IsOptional()
  @IsString()
  @Length(1, TEXT)
  note?: string;
}
