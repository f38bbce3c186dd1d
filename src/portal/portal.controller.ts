import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { RateLimited } from '../common/throttle/throttle.module';
import { Env } from '../config/env';
import { PurposesService } from '../consent';
import { readableCertificate, RequestOutputs } from '../requests';
import { PublicRequestsService } from '../requests';
import { ART19_TYPES, REQUEST_TYPES, RequestType } from '../requests';

/** The stage as this type of request lives it, and what comes next, worded for the work the type does. */
// Art. 19 reaches only ART19_TYPES: for the others, waiting on systems is not telling recipients.
function stageOf(type: RequestType, status: string): { state: string; next: string } {
  const state = status === 'awaiting_recipients' && !ART19_TYPES.includes(type) ? 'awaiting_systems' : status;
  return { state, next: state === 'in_progress' ? `in_progress_${type}` : state };
}
import { CsrfProtected } from '../web';
import { PageRenderer } from '../web';
import { seeOther } from '../web';
import { WebPage } from '../web';
import type { PageLang } from '../rendering';
import { FormErrors, readForm, RequestForm, validateForm } from './portal-form';

type Form = Record<string, unknown> | undefined;
const tokenOf = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 200 ? v : undefined);

/**
 * The customer portal: people without an account file a request, prove who they are by the link we
 * mail (Recital 64), and follow it. Every answer goes through the requests module's public service.
 */
/** The certificate's signed file or readable page, reached with the request's status token. */
const certificatePath = (id: string, token: unknown, as: 'file' | 'page' | 'pdf') =>
  `/portal/requests/${id}/certificate${{ file: '', page: '/view', pdf: '.pdf' }[as]}?token=${encodeURIComponent(String(token))}`;

@WebPage()
@Controller('portal')
export class PortalController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly requests: PublicRequestsService,
    private readonly outputs: RequestOutputs,
    private readonly purposes: PurposesService,
    private readonly env: Env,
  ) {}

  @Get()
  @Public()
  async home(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const lang = this.pages.lang(req, reply);
    const q = req.query as Record<string, unknown>;
    const form = readForm({ type: typeof q.type === 'string' ? q.type : '' });
    return this.form(reply, lang, form, {}, 200);
  }

  @Post('requests')
  @Public()
  @RateLimited()
  @CsrfProtected()
  async file(@Body() body: Form, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const lang = this.pages.lang(req, reply);
    const form = readForm(body);
    const { errors, parsed } = validateForm(
      form,
      (await this.legitimatePurposes()).map((p) => p.key),
    );
    if (!parsed) return this.form(reply, lang, form, errors, 422);
    // Recital 64: the same answer and the same next page whether or not the address is known.
    await this.requests.submit(parsed.type, parsed.email, lang, parsed.details);
    return seeOther(reply, `/portal/sent?lang=${lang}`);
  }

  @Get('sent')
  @Public()
  sent(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const lang = this.pages.lang(req, reply);
    return this.pages.render(
      reply,
      'portal/sent',
      { minutes: this.env.REQUEST_VERIFICATION_TTL_MINUTES },
      { lang, title: this.pages.text(lang, 'portal.sent.title') },
    );
  }

  /** A GET never verifies: mail scanners open links. The button posts. */
  @Get('verify')
  @Public()
  @RateLimited()
  async verifyPage(
    @Query('token') token: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const lang = this.pages.lang(req, reply);
    const r = await this.requests.describe(tokenOf(token));
    return this.pages.render(
      reply,
      'portal/verify',
      { token, type: r.type },
      { lang, title: this.pages.text(lang, 'portal.verify.title') },
    );
  }

  @Post('verify')
  @Public()
  @RateLimited()
  @CsrfProtected()
  async verify(@Body() body: Form, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const lang = this.pages.lang(req, reply);
    const r = await this.requests.verify(tokenOf(body?.token));
    return this.pages.render(
      reply,
      'portal/verified',
      {
        duplicate: r.outcome === 'duplicate',
        statusHref: `/portal/requests/${r.requestId}?token=${encodeURIComponent(r.statusToken)}`,
      },
      { lang, title: this.pages.text(lang, 'portal.verify.doneTitle') },
    );
  }

  @Get('requests/:id')
  @Public()
  @RateLimited()
  async status(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Query('token') token: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const lang = this.pages.lang(req, reply);
    const s = await this.scoped(() => this.requests.status(id, tokenOf(token)));
    const open = !['completed', 'cancelled'].includes(s.status);
    const certified = s.type === 'erasure' && s.status === 'completed' && s.resolution !== 'rejected';
    const certificateHref = certified ? certificatePath(id, token, 'file') : null;
    const certificateViewHref = certified ? certificatePath(id, token, 'page') : null;
    const certificatePdfHref = certified ? certificatePath(id, token, 'pdf') : null;
    return this.pages.render(
      reply,
      'portal/status',
      {
        request: s,
        stage: stageOf(s.type, s.status),
        open,
        // Only while the deadline still matters: a closed request's page says how it ended instead.
        extendedNote: open && s.extended,
        resultMailed: s.resultAvailable && (s.type === 'access' || s.type === 'portability'),
        days: this.env.REQUEST_DOWNLOAD_TTL_DAYS,
        certificateHref,
        certificateViewHref,
        certificatePdfHref,
      },
      { lang, title: this.pages.text(lang, 'portal.status.title') },
    );
  }

  /** The Art. 17 certificate, signed (JWS), for the person's own records; checked against our JWKS. */
  @Get('requests/:id/certificate')
  @Public()
  @RateLimited()
  async certificate(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Query('token') token: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.erasureStatus(id, token);
    const cert = await this.outputs.certificate(id);
    void reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="erasure-certificate-${id}.json"`)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer');
    return JSON.stringify(cert, null, 2);
  }

  /** Issue 13 item 2: the certificate as a page a person can read, in their language, beside the signed file. */
  @Get('requests/:id/certificate/view')
  @Public()
  @RateLimited()
  async certificateView(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Query('token') token: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const lang = this.pages.lang(req, reply);
    const model = await this.certificateModel(id, token);
    return this.pages.render(reply, 'portal/certificate', model, {
      lang,
      title: this.pages.text(lang, 'portal.cert.title'),
    });
  }

  /** Issue 13 item 2: the same certificate as a PDF in the person's language, to keep or print. */
  @Get('requests/:id/certificate.pdf')
  @Public()
  @RateLimited()
  async certificatePdf(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Query('token') token: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const lang = this.pages.lang(req, reply);
    const model = await this.certificateModel(id, token);
    const title = this.pages.text(lang, 'portal.cert.title');
    const pdf = await this.pages.pdf('portal/certificate', model, lang, { title, subject: id });
    return this.pages.sendPdf(reply, pdf, `erasure-certificate-${id}-${lang}.pdf`);
  }

  /** Landing page for the download link: the file itself is `/public/requests/:id/result`, same token. */
  @Get('requests/:id/download')
  @Public()
  @RateLimited()
  async download(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Query('token') token: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const lang = this.pages.lang(req, reply);
    await this.scoped(() => this.requests.checkDownload(id, tokenOf(token)));
    return this.pages.render(
      reply,
      'portal/download',
      { fileHref: `/public/requests/${id}/result?token=${encodeURIComponent(String(token))}` },
      { lang, title: this.pages.text(lang, 'portal.download.title') },
    );
  }

  /** What the certificate page and PDF show: the signed payload, systems by name, links to the other forms. */
  private async certificateModel(id: string, token: unknown) {
    const s = await this.erasureStatus(id, token);
    const { payload } = await this.outputs.certificate(id);
    const names = new Map(s.recipients.filter((r) => r.system).map((r) => [r.system!, r.name]));
    return readableCertificate(payload, names, {
      json: certificatePath(id, token, 'file'),
      pdf: certificatePath(id, token, 'pdf'),
    });
  }

  /** The status behind a certificate link: the link's own request, and an erasure. */
  private async erasureStatus(id: string, token: unknown) {
    const s = await this.scoped(() => this.requests.status(id, tokenOf(token)));
    if (s.type !== 'erasure') throw new ProblemError('not_found', 'No certificate for this request.');
    return s;
  }

  private async form(reply: FastifyReply, lang: PageLang, form: RequestForm, errors: FormErrors, status: number) {
    const legit = await this.legitimatePurposes();
    const hasErrors = Object.keys(errors).length > 0;
    return this.pages.render(
      reply,
      'portal/home',
      {
        form,
        types: REQUEST_TYPES.map((t) => ({ value: t, checked: form.type === t })),
        errors: {
          type: errors.type ?? null,
          email: errors.email ?? null,
          details: errors.details ?? null,
          rect: errors.rect ?? null,
          obj: errors.obj ?? null,
        },
        errorList: hasErrors ? Object.entries(errors).map(([field, key]) => ({ field, key })) : null,
        objPurposes: legit.map((p) => ({ key: p.key, name: p.name, checked: form.objPurposes.includes(p.key) })),
      },
      {
        lang,
        title:
          (hasErrors ? `${this.pages.text(lang, 'portal.home.errorsTitle')}: ` : '') +
          this.pages.text(lang, 'portal.home.title'),
        status,
      },
    );
  }

  private async legitimatePurposes() {
    const all = await this.purposes.list(undefined, 200);
    return all.filter((p) => p.legalBasis === 'legitimate_interests');
  }

  /**
   * A customer's link opens only their own request: someone else's id with it is "not found", the same
   * as an id that does not exist, so the link reveals nothing about other requests.
   */
  private async scoped<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ProblemError && e.code === 'invalid_token') throw new ProblemError('not_found', 'Not found.');
      throw e;
    }
  }
}
