import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ROLES, type Role } from './roles';

// NIST SP 800-63B: every character allowed, at least 64; the policy sets the minimum. The hard cap here
// only bounds the work one request can cause (scrypt over a megabyte).
const PASSWORD_HARD_MAX = 256;

export class CreateUserDto {
  @ApiProperty({ example: 'iod@example.com' })
  @IsString()
  @MaxLength(320)
  email: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({ description: 'Initial password; checked against the policy (length, blocklist)' })
  @IsString()
  @Length(1, PASSWORD_HARD_MAX)
  password: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES, description: 'A new role ends the user’s sessions' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'true disables the account and ends its sessions; false enables it' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ description: 'Set a new password (e.g. after a forgotten one); ends the sessions' })
  @IsOptional()
  @IsString()
  @Length(1, PASSWORD_HARD_MAX)
  password?: string;

  @ApiPropertyOptional({ description: 'false removes the second factor (lost phone)' })
  @IsOptional()
  @IsIn([false])
  totp?: false;
}

export class LoginDto {
  @ApiProperty({ example: 'iod@example.com' })
  @IsString()
  @MaxLength(320)
  email: string;

  @ApiProperty()
  @IsString()
  @Length(1, PASSWORD_HARD_MAX)
  password: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/)
  code: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, PASSWORD_HARD_MAX)
  currentPassword: string;

  @ApiProperty()
  @IsString()
  @Length(1, PASSWORD_HARD_MAX)
  newPassword: string;
}
