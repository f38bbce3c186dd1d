import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { LoginResponse, MeResponse, SessionsEnded, TotpEnrolment } from './users.responses';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { RateLimited } from '../common/throttle/throttle.module';
import { Env } from '../config/env';
import { LoginOutcome, LoginService } from './login.service';
import { answerLogin, MFA_COOKIE, SESSION_COOKIE } from './session-cookie';
import { ChangePasswordDto, LoginDto, TotpCodeDto } from './users.dto';
import { UsersService } from './users.service';
import { StaffSession, StaffSessions } from './staff-sessions.service';
import { ApiProblem } from '../common/openapi/responses';

/** The caller's staff session, or 401: these routes are for people signed in, not API keys. */
export function requireSession(req: FastifyRequest): { hash: string; session: StaffSession } {
  if (!req.staffSession) throw new ProblemError('unauthorized', 'A staff session is required.');
  return req.staffSession;
}

/** Login, the TOTP step and logout; the session lives in an httpOnly cookie. */
@ApiTags('staff-auth')
@Controller('v1/auth')
export class AuthController {
  private readonly secure: boolean;

  constructor(
    private readonly login: LoginService,
    private readonly users: UsersService,
    env: Env,
  ) {
    this.secure = env.PUBLIC_BASE_URL.startsWith('https:');
  }

  @Post('login')
  @ApiOkResponse({ type: LoginResponse, description: 'Signed in (the session cookie is set), or a code is needed' })
  @ApiProblem('invalid_credentials', 'account_locked', 'service_unavailable')
  @HttpCode(200)
  @Public()
  @RateLimited()
  @ApiOperation({
    summary: 'Staff login with e-mail and password',
    description:
      'Sets the session cookie, or, with a second factor enrolled, answers `totpRequired: true` and a short-lived cookie for POST /v1/auth/totp. Failures are always 401 `invalid_credentials`; 423 `account_locked` after repeated failures.',
  })
  async passwordLogin(@Body() dto: LoginDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(await this.login.login(dto.email, dto.password), reply);
  }

  @Post('totp')
  @ApiOkResponse({ type: LoginResponse, description: 'Signed in: the session cookie is set' })
  @ApiProblem('invalid_credentials', 'service_unavailable')
  @HttpCode(200)
  @Public()
  @RateLimited()
  @ApiOperation({ summary: 'Second step: the code from the authenticator app' })
  async totpLogin(
    @Body() dto: TotpCodeDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const token = req.cookies?.[MFA_COOKIE];
    if (!token) throw new ProblemError('invalid_credentials', 'The login step has expired; start again.');
    return this.answer(await this.login.totp(token, dto.code), reply);
  }

  @Post('logout')
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiProblem('service_unavailable')
  @HttpCode(204)
  @Public()
  @ApiSecurity('session')
  @ApiOperation({ summary: 'End this session' })
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const s = requireSession(req);
    await this.login.logout(s.hash, s.session);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Post('logout-everywhere')
  @ApiOkResponse({ type: SessionsEnded })
  @HttpCode(200)
  @Public()
  @ApiSecurity('session')
  @ApiOperation({ summary: 'End every session of the signed-in user (a lost laptop, a shared computer)' })
  async logoutEverywhere(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const s = requireSession(req);
    const ended = await this.login.logoutEverywhere(s.session.userId, { type: 'staff', id: s.session.userId });
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { sessionsEnded: ended };
  }

  private answer(outcome: LoginOutcome, reply: FastifyReply): LoginResponse {
    return answerLogin(outcome, reply, this.secure, this.users);
  }
}

/** The signed-in user's own account. */
@ApiTags('staff-auth')
@Controller('v1/users/me')
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: StaffSessions,
  ) {}

  @Get()
  @ApiOkResponse({ type: MeResponse })
  @Public()
  @ApiSecurity('session')
  @ApiOperation({ summary: 'Who is signed in, with the CSRF token for session-authenticated changes' })
  async me(@Req() req: FastifyRequest): Promise<MeResponse> {
    const s = requireSession(req);
    const u = await this.users.get(s.session.userId);
    return {
      ...this.users.view(u),
      csrfToken: s.session.csrf,
      passwordExpired: s.session.passwordExpired,
      sessionExpiresAt: new Date(s.session.createdAt + this.sessions.absoluteMs).toISOString(),
    };
  }

  @Post('password')
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiProblem('invalid_credentials')
  @HttpCode(204)
  @Public()
  @ApiSecurity('session')
  @ApiOperation({ summary: 'Change one’s own password; other sessions end, this one continues' })
  async changePassword(@Body() dto: ChangePasswordDto, @Req() req: FastifyRequest): Promise<void> {
    await this.users.changePasswordInSession(requireSession(req), dto.currentPassword, dto.newPassword);
  }

  @Post('totp')
  @ApiOkResponse({ type: TotpEnrolment })
  @HttpCode(200)
  @Public()
  @ApiSecurity('session')
  @ApiOperation({ summary: 'Start enrolling a TOTP second factor: the otpauth URI (for a QR code) and secret' })
  startTotp(@Req() req: FastifyRequest) {
    return this.users.startTotp(requireSession(req).session.userId);
  }

  @Post('totp/confirm')
  @ApiNoContentResponse({ description: 'Enrolled' })
  @ApiProblem('invalid_credentials', 'conflict')
  @HttpCode(204)
  @Public()
  @ApiSecurity('session')
  @ApiOperation({ summary: 'Finish enrolment with a code from the app; logins ask for a code from now on' })
  async confirmTotp(@Body() dto: TotpCodeDto, @Req() req: FastifyRequest): Promise<void> {
    await this.users.confirmTotp(requireSession(req).session.userId, dto.code);
  }
}
