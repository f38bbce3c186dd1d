import { Body, Controller, Get, Headers, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { RateLimited } from '../common/throttle/throttle.module';
import { CsrfProtected } from '../web';
import { PageRenderer } from '../web';
import { seeOther } from '../web';
import { WebPage } from '../web';
import { PreferenceLinkMailer } from '../consent';
import { EMAIL } from './portal-form';
import { PreferenceCentre, PreferenceOutcome } from './preference-centre.service';

type Form = Record<string, unknown> | undefined;
const OUTCOMES: PreferenceOutcome[] = ['withdrawn', 'granted', 'pending', 'all', 'nothing'];
const DONE_KEY: Record<PreferenceOutcome, string> = {
  withdrawn: 'portal.prefs.doneWithdrawn',
  granted: 'portal.prefs.doneGranted',
  pending: 'portal.prefs.donePending',
  all: 'portal.prefs.doneAll',
  nothing: 'portal.prefs.doneNothing',
};

const field = (b: Form, name: string, max = 4096): string => {
  const v = b?.[name];
  if (typeof v !== 'string' || !v || v.length > max) {
    throw new ProblemError('validation_failed', 'The form is not valid.');
  }
  return v;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The preference centre, reached by the signed link in every marketing message (no account). */
@WebPage()
@Controller('portal/preferences')
export class PreferencesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly centre: PreferenceCentre,
    private readonly mailer: PreferenceLinkMailer,
  ) {}

  /** The way in without a marketing message at hand: the link is e-mailed to the address, never shown here. */
  @Get('link')
  @Public()
  link(@Query('sent') sent: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.linkPage(req, reply, { sent: sent === '1', email: '', error: null });
  }

  @Post('link')
  @Public()
  @RateLimited()
  @CsrfProtected()
  async sendLink(@Body() body: Form, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const lang = this.pages.lang(req, reply);
    const email = typeof body?.email === 'string' ? body.email.trim() : '';
    if (email.length > 320 || !EMAIL.test(email)) {
      void reply.status(422);
      return this.linkPage(req, reply, { sent: false, email: email.slice(0, 320), error: 'portal.link.errEmail' });
    }
    // Recital 64: the same answer and the same next page whether or not the address is held.
    await this.mailer.request(email, lang);
    return seeOther(reply, `/portal/preferences/link?sent=1&lang=${lang}`);
  }

  private linkPage(
    req: FastifyRequest,
    reply: FastifyReply,
    model: { sent: boolean; email: string; error: string | null },
  ) {
    const lang = this.pages.lang(req, reply);
    return this.pages.render(reply, 'portal/link', model, { lang, title: this.pages.text(lang, 'portal.link.title') });
  }

  @Get()
  @Public()
  @RateLimited()
  async page(
    @Query('token') token: unknown,
    @Query('done') done: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const lang = this.pages.lang(req, reply);
    const t = typeof token === 'string' && token.length <= 4096 ? token : '';
    const groups = await this.centre.view(t, lang);
    const outcome = OUTCOMES.find((o) => o === done) ?? null;
    return this.pages.render(
      reply,
      'portal/preferences',
      {
        token: t,
        groups,
        anyHeld: groups.some((g) => g.rows.some((r) => r.canWithdraw)),
        done: outcome ? DONE_KEY[outcome] : null,
      },
      { lang, title: this.pages.text(lang, 'portal.prefs.title') },
    );
  }

  /** Issue 13 item 13: the signed receipt of a decision, as a file the person keeps (JSON: the JWS and its payload). */
  @Get('receipt')
  @Public()
  @RateLimited()
  async receipt(
    @Query('token') token: unknown,
    @Query('consent') consent: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const t = typeof token === 'string' && token.length <= 4096 ? token : '';
    const id = typeof consent === 'string' && UUID.test(consent) ? consent : null;
    if (!id) throw new ProblemError('not_found', 'No receipt for this consent.');
    const r = await this.centre.receipt(t, id);
    void reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="zgoda-receipt-${r.consentId}.json"`);
    return r;
  }

  @Post('withdraw')
  @Public()
  @RateLimited()
  @CsrfProtected()
  async withdraw(@Body() body: Form, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const token = field(body, 'token');
    const outcome = await this.centre.withdraw(token, field(body, 'purpose', 100), field(body, 'channel', 50));
    return this.back(req, reply, token, outcome);
  }

  @Post('withdraw-all')
  @Public()
  @RateLimited()
  @CsrfProtected()
  async withdrawAll(@Body() body: Form, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const token = field(body, 'token');
    return this.back(req, reply, token, await this.centre.withdrawAll(token));
  }

  @Post('grant')
  @Public()
  @RateLimited()
  @CsrfProtected()
  async grant(
    @Body() body: Form,
    @Headers('sec-gpc') gpc: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const token = field(body, 'token');
    const version = Number(field(body, 'version', 10));
    if (!Number.isInteger(version) || version < 1)
      throw new ProblemError('validation_failed', 'The form is not valid.');
    const outcome = await this.centre.grant(
      token,
      {
        purpose: field(body, 'purpose', 100),
        channel: field(body, 'channel', 50),
        version,
        locale: field(body, 'locale', 20),
      },
      gpc === '1',
    );
    return this.back(req, reply, token, outcome);
  }

  /** Post/redirect/get: a reload does not post again, and the page shows the new state. */
  private back(req: FastifyRequest, reply: FastifyReply, token: string, outcome: PreferenceOutcome) {
    const lang = this.pages.lang(req, reply);
    return seeOther(reply, `/portal/preferences?token=${encodeURIComponent(token)}&done=${outcome}&lang=${lang}`);
  }
}
