import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { RateLimited } from '../common/throttle/throttle.module';
import { Env } from '../config/env';
import { LoginService } from '../users';
import { answerLogin, MFA_COOKIE, SESSION_COOKIE } from '../users';
import { UsersService } from '../users';
import { CsrfProtected } from '../web';
import { ConsolePage, safeNext } from './console-error.filter';
import { ConsoleView, redirect } from './console-view';

type Form = Record<string, string | undefined>;

/** The login form, the TOTP step and logout. Failures never say whether the e-mail is known. */
@ConsolePage()
@Controller('console')
export class ConsoleAuthController {
  private readonly secure: boolean;

  constructor(
    private readonly view: ConsoleView,
    private readonly login: LoginService,
    private readonly users: UsersService,
    env: Env,
  ) {
    this.secure = env.PUBLIC_BASE_URL.startsWith('https:');
  }

  @Get('login')
  @Public()
  loginPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query('next') next?: string) {
    if (req.staffSession) return redirect(reply, safeNext(next));
    void reply.send(this.form(req, reply, 'login', { next: safeNext(next), error: null }));
  }

  @Post('login')
  @Public()
  @RateLimited()
  @CsrfProtected()
  async submitLogin(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: Form) {
    const next = safeNext(body.next);
    try {
      const outcome = await this.login.login(String(body.email ?? ''), String(body.password ?? ''));
      answerLogin(outcome, reply, this.secure, this.users);
      redirect(reply, outcome.kind === 'totp' ? `/console/login/totp?next=${encodeURIComponent(next)}` : next);
    } catch (e) {
      const code = e instanceof ProblemError ? e.code : null;
      if (code !== 'invalid_credentials' && code !== 'account_locked') throw e;
      const html = this.form(req, reply, 'login', {
        next,
        error: this.view.t(this.view.lang(req, reply), code === 'account_locked' ? 'login.locked' : 'login.failed'),
      });
      void reply.status(code === 'account_locked' ? 423 : 401).send(html);
    }
  }

  @Get('login/totp')
  @Public()
  totpPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query('next') next?: string) {
    if (!req.cookies?.[MFA_COOKIE]) return redirect(reply, '/console/login');
    void reply.send(this.form(req, reply, 'totp', { next: safeNext(next), error: null }));
  }

  @Post('login/totp')
  @Public()
  @RateLimited()
  @CsrfProtected()
  async submitTotp(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: Form) {
    const next = safeNext(body.next);
    const token = req.cookies?.[MFA_COOKIE];
    const lang = this.view.lang(req, reply);
    try {
      if (!token || !/^\d{6}$/.test(String(body.code ?? '').trim()))
        throw new ProblemError('invalid_credentials', 'The code is not correct.');
      const outcome = await this.login.totp(token, String(body.code).trim());
      answerLogin(outcome, reply, this.secure, this.users);
      redirect(reply, next);
    } catch (e) {
      const code = e instanceof ProblemError ? e.code : null;
      if (code !== 'invalid_credentials' && code !== 'account_locked') throw e;
      const html = this.form(req, reply, 'totp', {
        next,
        error: this.view.t(lang, code === 'account_locked' ? 'login.locked' : 'login.failed'),
      });
      void reply.status(code === 'account_locked' ? 423 : 401).send(html);
    }
  }

  @Post('logout')
  @Public()
  @CsrfProtected()
  async logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (req.staffSession) await this.login.logout(req.staffSession.hash, req.staffSession.session);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    redirect(reply, '/console/login');
  }

  private form(req: FastifyRequest, reply: FastifyReply, page: 'login' | 'totp', model: Record<string, unknown>) {
    const lang = this.view.lang(req, reply);
    const title = this.view.t(lang, page === 'login' ? 'login.title' : 'login.totpTitle');
    return this.view.render(req, reply, page, { ...model, title }, { lang, title, wide: false });
  }
}
