import { readableCertificate } from '../requests';
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { Env } from '../config/env';
import { REQUEST_STATUSES, REQUEST_TYPES } from '../requests';
import { ProblemError } from '../common/problem/problem.error';
import { CsrfProtected } from '../web';
import { ConsoleApi } from './console-api.service';
import { ConsolePage } from './console-error.filter';
import {
  act,
  AuditRow,
  Form,
  Id,
  OPEN,
  RequestRow,
  requestRow,
  TaskRow,
  typeLabel,
  warsawInstant,
} from './console-pages';
import { ClockRead, clockSentences } from './console-request-clock';
import { ConsoleView, may } from './console-view';

const SETTLED_TASKS = ['done', 'failed', 'retained'];

/** The console's request pages (PRODUCT.md 10): the list by deadline, one request, its staff actions. */
@ConsolePage()
@Controller('console')
export class ConsoleRequestsController {
  constructor(
    private readonly view: ConsoleView,
    private readonly api: ConsoleApi,
    private readonly env: Env,
  ) {}

  @Get('requests')
  @RequireScopes('requests:read')
  async requests(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Form) {
    const lang = this.view.lang(req, reply);
    const status =
      q.status && (q.status === 'any' || (REQUEST_STATUSES as readonly string[]).includes(q.status))
        ? q.status
        : 'open';
    const type = q.type && (REQUEST_TYPES as readonly string[]).includes(q.type) ? q.type : '';
    const params = new URLSearchParams({ limit: '500' });
    if (status !== 'open' && status !== 'any') params.set('status', status);
    if (type) params.set('type', type);
    // Open requests come from the API already in deadline order (sort=due), so the most urgent are never
    // cut off by the page size; closed ones have no deadline left and stay newest first.
    const byDue = status === 'open' || OPEN.includes(status);
    if (byDue) params.set('sort', 'due');
    const page = await this.api.get<{ items: RequestRow[] }>(req, `/v1/requests?${params}`);
    const rows = page.items.map((r) => requestRow(this.view, this.env, r, lang));
    if (!byDue) rows.sort((a, b) => (a.open === b.open ? a.dueSort - b.dueSort : a.open ? -1 : 1));
    const title = this.view.t(lang, 'requests.title');
    const html = this.view.render(
      req,
      reply,
      'requests',
      {
        title,
        rows,
        statuses: ['open', 'any', ...REQUEST_STATUSES].map((s) => ({
          value: s,
          label: s === 'open' || s === 'any' ? this.view.t(lang, `requests.${s}`) : this.view.t(lang, `status.${s}`),
          selected: s === status,
        })),
        types: ['', ...REQUEST_TYPES].map((t) => ({ value: t, selected: t === type })),
      },
      { lang, title },
    );
    void reply.send(html);
  }

  /** Issue 13 item 2: the erasure certificate as staff read it, beside the signed file (the API's JSON). */
  @Get('requests/:id/certificate')
  @RequireScopes('requests:read')
  async certificate(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const lang = this.view.lang(req, reply);
    const html = this.view.render(req, reply, 'certificate', await this.certificateModel(req, id), {
      lang,
      title: this.view.t(lang, 'request.certificateTitle'),
    });
    void reply.send(html);
  }

  /** The same certificate as a PDF in the page's language (what staff hand or send the person). */
  @Get('requests/:id/certificate.pdf')
  @RequireScopes('requests:read')
  async certificatePdf(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const lang = this.view.lang(req, reply);
    const title = this.view.t(lang, 'request.certificateTitle');
    const pdf = await this.view.pages.pdf('portal/certificate', await this.certificateModel(req, id), lang, {
      title,
      subject: id,
    });
    void reply.send(this.view.pages.sendPdf(reply, pdf, `erasure-certificate-${id}-${lang}.pdf`));
  }

  private async certificateModel(req: FastifyRequest, id: string) {
    const cert = await this.api.get<{ payload: unknown }>(req, `/v1/requests/${id}/certificate`);
    return readableCertificate(cert.payload, new Map(), {
      json: `/v1/requests/${id}/certificate`,
      pdf: `/console/requests/${id}/certificate.pdf`,
    });
  }

  @Get('requests/:id')
  @RequireScopes('requests:read')
  async request(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const lang = this.view.lang(req, reply);
    const [r, clock, audit] = await Promise.all([
      this.api.get<RequestRow & Record<string, any>>(req, `/v1/requests/${id}`),
      this.api.get<ClockRead>(req, `/v1/requests/${id}/clock`),
      this.api.optional<{ items: AuditRow[] }>(req, `/v1/audit?targetId=${id}&limit=100`),
    ]);
    const row = requestRow(this.view, this.env, r, lang);
    const timeline = [
      { at: r.receivedAt, label: this.view.t(lang, 'request.ev_received') },
      r.verifiedAt ? { at: r.verifiedAt, label: this.view.t(lang, 'request.ev_verified') } : null,
      clock.extendedAt ? { at: clock.extendedAt, label: this.view.t(lang, 'request.ev_extended') } : null,
      r.completedAt ? { at: r.completedAt, label: this.view.t(lang, 'request.ev_completed') } : null,
    ].filter(Boolean);
    const writable = may(req, 'requests:write');
    const tasks = (r.tasks as TaskRow[]).map((t) => ({
      ...t,
      actionLabel: this.view.t(lang, `taskAction.${t.action}`),
      statusLabel: this.view.t(lang, `taskStatus.${t.status}`),
      lastError: t.lastError ?? null,
      manual: writable && t.kind === 'manual' && !SETTLED_TASKS.includes(t.status),
    }));
    const title = this.view.t(lang, 'request.title', { type: typeLabel(this.view, r.type, lang) });
    const html = this.view.render(
      req,
      reply,
      'request',
      {
        title,
        r: {
          ...row,
          resolution: r.resolution ? this.view.t(lang, `resolution.${r.resolution}`) : null,
          extensionMonths: r.extensionMonths ?? 0,
          subjectId: r.subjectId ?? null,
        },
        timeline,
        clock: clockSentences(this.view, lang, clock),
        tasks,
        audit: audit ? audit.items.slice().reverse() : null,
        canExtend: writable && clock.canExtend,
        canReject: writable && row.open,
        canRetry: writable && r.status === 'failed',
        download: r.resultAvailable ? `/v1/requests/${id}/result` : null,
        certificate: r.certificateAvailable
          ? {
              page: `/console/requests/${id}/certificate`,
              pdf: `/console/requests/${id}/certificate.pdf`,
              signed: `/v1/requests/${id}/certificate`,
            }
          : null,
        subjectHref:
          r.subjectId && (may(req, 'subjects:read') || may(req, 'consent:read'))
            ? `/console/subjects/${r.subjectId}`
            : null,
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Post('requests/:id/extend')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async extend(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await act(reply, `/console/requests/${id}`, 'extended', () =>
      this.api.call(req, 'POST', `/v1/requests/${id}/extend`, {
        months: Number(b.months),
        reason: String(b.reason ?? ''),
        ...(b.toldBy ? { toldBy: String(b.toldBy), toldAt: warsawInstant(b.toldAt) } : {}),
      }),
    );
  }

  @Post('requests/:id/reject')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async reject(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await act(reply, `/console/requests/${id}`, 'rejected', () =>
      this.api.call(req, 'POST', `/v1/requests/${id}/reject`, { reason: String(b.reason ?? '') }),
    );
  }

  @Post('requests/:id/retry')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async retry(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, `/console/requests/${id}`, 'retried', () =>
      this.api.call(req, 'POST', `/v1/requests/${id}/retry`),
    );
  }

  @Post('requests/:id/tasks/:taskId/complete')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async completeTask(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Param('taskId', Id()) taskId: string,
    @Body() b: Form,
  ) {
    await act(reply, `/console/requests/${id}`, 'completed', () => {
      // Nothing is pre-selected: an outcome not chosen is refused here rather than guessed.
      if (!['done', 'retained', 'failed'].includes(String(b.status))) throw new ProblemError('validation_failed');
      return this.api.call(req, 'POST', `/v1/requests/${id}/tasks/${taskId}/complete`, {
        status: b.status,
        ...(b.reason ? { reason: b.reason } : {}),
      });
    });
  }
}
