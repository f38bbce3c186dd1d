import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toString as qrSvg } from 'qrcode';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { LoginService, SESSION_COOKIE, UsersService } from '../users';
import { CsrfProtected } from '../web';
import { ConsolePage } from './console-error.filter';
import { FieldErrors, invalidField, noErrors, submitForm } from './console-forms';
import { act, Form } from './console-pages';
import { ConsoleView, redirect } from './console-view';

const PASSWORD_FIELDS = ['currentPassword', 'newPassword'] as const;
// The wrong current password is named under its own field; a weak new one under the new one (console-forms.ts).
const CODE_FIELDS = { invalid_credentials: 'currentPassword' };

/**
 * The staff member's own account: password, TOTP enrolment, ending every session. Any signed-in role may use it
 * (`@Public()` and the session checked here: an expired password must still reach this page to change it).
 */
@ConsolePage()
@Controller('console/account')
export class ConsoleAccountController {
  constructor(
    private readonly view: ConsoleView,
    private readonly users: UsersService,
    private readonly login: LoginService,
    private readonly env: Env,
  ) {}

  @Get()
  @Public()
  async account(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.accountPage(req, reply, null, noErrors(PASSWORD_FIELDS)));
  }

  @Post('password')
  @Public()
  @CsrfProtected()
  async password(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    const s = session(req);
    await submitForm(this.view, req, reply, {
      fields: PASSWORD_FIELDS,
      codeFields: CODE_FIELDS,
      page: '/console/account',
      run: async () => {
        const current = String(b.currentPassword ?? '');
        const next = String(b.newPassword ?? '');
        if (!current || current.length > 256) throw invalidField('currentPassword');
        if (!next || next.length > 256) throw invalidField('newPassword');
        await this.users.changePasswordInSession(s, current, next);
        return 'password';
      },
      sendBack: (errors) => this.accountPage(req, reply, null, errors, 422),
    });
  }

  @Post('totp')
  @Public()
  @CsrfProtected()
  async totpStart(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const enrol = await this.users.startTotp(session(req).session.userId);
    void reply.send(await this.accountPage(req, reply, enrol, noErrors(PASSWORD_FIELDS)));
  }

  @Post('totp/confirm')
  @Public()
  @CsrfProtected()
  async totpConfirm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    const { userId } = session(req).session;
    await act(reply, '/console/account', 'totp', () => {
      const code = String(b.code ?? '').trim();
      if (!/^\d{6}$/.test(code)) throw new ProblemError('invalid_credentials', 'The code is not correct.');
      return this.users.confirmTotp(userId, code);
    });
  }

  @Post('logout-everywhere')
  @Public()
  @CsrfProtected()
  async everywhere(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { userId } = session(req).session;
    await this.login.logoutEverywhere(userId, { type: 'staff', id: userId });
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    redirect(reply, '/console/login');
  }

  private async accountPage(
    req: FastifyRequest,
    reply: FastifyReply,
    enrol: { secret: string; otpauthUri: string } | null,
    errors: FieldErrors,
    status = 200,
  ) {
    const s = session(req);
    const lang = this.view.lang(req, reply);
    const me = this.users.view(await this.users.get(s.session.userId));
    const title = this.view.t(lang, 'account.title');
    return this.view.render(
      req,
      reply,
      'account',
      {
        title,
        email: me.email,
        role: this.view.t(lang, `role.${me.role}`),
        totpEnabled: me.totpEnabled,
        totpSecret: enrol?.secret ?? null,
        // Drawn here, as SVG inside the page: the pages run no scripts, and the secret never leaves the server
        // for a QR service or an image URL a proxy could log.
        totpQr: enrol ? await totpQrSvg(enrol.otpauthUri, this.view.t(lang, 'account.totpQr')) : null,
        passwordExpired: s.session.passwordExpired,
        minLength: this.env.STAFF_PASSWORD_MIN_LENGTH,
        errors,
      },
      { lang, title, wide: false, status },
    );
  }
}

function session(req: FastifyRequest) {
  if (!req.staffSession) throw new ProblemError('unauthorized');
  return req.staffSession;
}

/** The enrolment URI as an inline SVG QR code, labelled for screen readers (the key is also printed beside it). */
async function totpQrSvg(uri: string, label: string): Promise<string> {
  const svg = await qrSvg(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const escaped = label.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return svg.replace('<svg ', `<svg role="img" aria-label="${escaped}" width="220" height="220" `);
}
