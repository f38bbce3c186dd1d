import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toString as qrSvg } from 'qrcode';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { CsrfProtected } from '../web';
import { ConsoleApi } from './console-api.service';
import { ConsolePage } from './console-error.filter';
import { act, Form } from './console-pages';
import { ConsoleView, redirect } from './console-view';

/** The staff member's own account: password, TOTP enrolment, ending every session. Any signed-in role may use it. */
@ConsolePage()
@Controller('console')
export class ConsoleAccountController {
  constructor(
    private readonly view: ConsoleView,
    private readonly api: ConsoleApi,
    private readonly env: Env,
  ) {}

  @Get('account')
  @Public()
  async account(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.accountPage(req, reply, null));
  }

  @Post('account/password')
  @Public()
  @CsrfProtected()
  async password(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    if (!req.staffSession) throw new ProblemError('unauthorized');
    await act(reply, '/console/account', 'password', () =>
      this.api.call(req, 'POST', '/v1/users/me/password', {
        currentPassword: b.currentPassword ?? '',
        newPassword: b.newPassword ?? '',
      }),
    );
  }

  @Post('account/totp')
  @Public()
  @CsrfProtected()
  async totpStart(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!req.staffSession) throw new ProblemError('unauthorized');
    const enrol = await this.api.call<{ secret: string; otpauthUri: string }>(req, 'POST', '/v1/users/me/totp');
    void reply.send(await this.accountPage(req, reply, enrol));
  }

  @Post('account/totp/confirm')
  @Public()
  @CsrfProtected()
  async totpConfirm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    if (!req.staffSession) throw new ProblemError('unauthorized');
    await act(reply, '/console/account', 'totp', () =>
      this.api.call(req, 'POST', '/v1/users/me/totp/confirm', { code: String(b.code ?? '').trim() }),
    );
  }

  @Post('account/logout-everywhere')
  @Public()
  @CsrfProtected()
  async everywhere(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!req.staffSession) throw new ProblemError('unauthorized');
    await this.api.call(req, 'POST', '/v1/auth/logout-everywhere');
    void reply.clearCookie('zg_session', { path: '/' });
    redirect(reply, '/console/login');
  }

  private async accountPage(
    req: FastifyRequest,
    reply: FastifyReply,
    enrol: { secret: string; otpauthUri: string } | null,
  ) {
    if (!req.staffSession) throw new ProblemError('unauthorized');
    const lang = this.view.lang(req, reply);
    const me = await this.api.get<Record<string, any>>(req, '/v1/users/me');
    const title = this.view.t(lang, 'account.title');
    return this.view.render(
      req,
      reply,
      'account',
      {
        title,
        email: me.email,
        role: this.view.t(lang, `role.${me.role}`),
        totpEnabled: !!me.totpEnabled,
        totpSecret: enrol?.secret ?? null,
        // Drawn here, as SVG inside the page: the pages run no scripts, and the secret never leaves the server
        // for a QR service or an image URL a proxy could log.
        totpQr: enrol ? await totpQrSvg(enrol.otpauthUri, this.view.t(lang, 'account.totpQr')) : null,
        passwordExpired: !!me.passwordExpired,
        minLength: this.env.STAFF_PASSWORD_MIN_LENGTH,
      },
      { lang, title, wide: false },
    );
  }
}

/** The enrolment URI as an inline SVG QR code, labelled for screen readers (the key is also printed beside it). */
async function totpQrSvg(uri: string, label: string): Promise<string> {
  const svg = await qrSvg(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const escaped = label.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return svg.replace('<svg ', `<svg role="img" aria-label="${escaped}" width="220" height="220" `);
}
