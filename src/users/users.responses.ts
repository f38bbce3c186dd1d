import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, type Role } from './roles';

/* What the staff user and login routes answer (issue 24); UsersService.view and answerLogin are typed with these. */

export class StaffUserView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  email: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty()
  disabled: boolean;

  @ApiProperty()
  totpEnabled: boolean;

  @ApiProperty({ format: 'date-time' })
  passwordChangedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class StaffUserDetail extends StaffUserView {
  @ApiProperty({ type: 'integer' })
  activeSessions: number;
}

export class MeResponse extends StaffUserView {
  @ApiProperty({ description: 'Send as `x-csrf-token` with every change made with the session' })
  csrfToken: string;

  @ApiProperty({ description: 'The password must be changed before anything else' })
  passwordExpired: boolean;

  @ApiProperty({ format: 'date-time' })
  sessionExpiresAt: string;
}

export class LoginResponse {
  @ApiProperty({ description: 'true: send the authenticator code to POST /v1/auth/totp; nothing else is set' })
  totpRequired: boolean;

  @ApiPropertyOptional({ type: StaffUserView })
  user?: StaffUserView;

  @ApiPropertyOptional()
  csrfToken?: string;

  @ApiPropertyOptional()
  passwordExpired?: boolean;
}

export class SessionsEnded {
  @ApiProperty({ type: 'integer' })
  sessionsEnded: number;
}

export class TotpEnrolment {
  @ApiProperty({ description: 'Base32, for typing into the app' })
  secret: string;

  @ApiProperty({ description: 'otpauth:// URI, for a QR code' })
  otpauthUri: string;
}
