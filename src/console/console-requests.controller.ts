import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { Env } from '../config/env';
import {
  ExtendRequestDto,
  ListRequestsQuery,
  readableCertificate,
  RejectRequestDto,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  RequestOutputs,
  RequestsService,
  TaskResultDto,
  TaskResults,
} from '../requests';
import { CsrfProtected } from '../web';
import { ConsolePage } from './console-error.filter';
import { asDto, formInstant, formText, submitForm } from './console-forms';
import { act, Form, Id, OPEN, requestRow } from './console-pages';
import { COMPLETE_FIELDS, ConsoleRequestPage, EXTEND_FIELDS, REJECT_FIELDS, RequestForm } from './console-request-page';
import { ConsoleView } from './console-view';

const PAGE_SIZE = 500;
// A refusal about one field that carries its own code: no e-mail address, so staff must say how they told the person.
const CODE_FIELDS = { subject_cannot_be_told: 'toldBy' };
// The reasons here are told to the person (Art. 12(3), 12(4)): their sentence is not a hold's or a restriction's.
const TEXT_KEYS: Record<RequestForm, Record<string, string>> = {
  extend: { reason: 'requestReason', toldAt: 'extensionToldAt' },
  reject: { reason: 'requestReason' },
  complete: { status: 'outcome', reason: 'outcomeReason' },
};

/** The console's request pages (PRODUCT.md 10): the list by deadline, one request, its staff actions. */
@ConsolePage()
@Controller('console')
export class ConsoleRequestsController {
  constructor(
    private readonly view: ConsoleView,
    private readonly page: ConsoleRequestPage,
    private readonly requests: RequestsService,
    private readonly results: TaskResults,
    private readonly outputs: RequestOutputs,
    private readonly env: Env,
  ) {}

  @Get('requests')
  @RequireScopes('requests:read')
  async queue(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Form) {
    const lang = this.view.lang(req, reply);
    const status =
      q.status && (q.status === 'any' || (REQUEST_STATUSES as readonly string[]).includes(q.status))
        ? q.status
        : 'open';
    const type = q.type && (REQUEST_TYPES as readonly string[]).includes(q.type) ? q.type : '';
    // Open requests come already in deadline order (sort=due), so the most urgent are never cut off by the page
    // size; closed ones have no deadline left and stay newest first.
    const byDue = status === 'open' || OPEN.includes(status);
    const query = {
      limit: PAGE_SIZE,
      ...(status !== 'open' && status !== 'any' ? { status } : {}),
      ...(type ? { type } : {}),
      sort: byDue ? 'due' : 'received',
    } as ListRequestsQuery;
    const found = this.requests.views((await this.requests.list(query)).slice(0, PAGE_SIZE));
    const rows = found.map((r) => requestRow(this.view, this.env, r, lang));
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
    const html = this.view.render(req, reply, 'certificate', await this.certificateModel(id), {
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
    const pdf = await this.view.pages.pdf('portal/certificate', await this.certificateModel(id), lang, {
      title,
      subject: id,
    });
    void reply.send(this.view.pages.sendPdf(reply, pdf, `erasure-certificate-${id}-${lang}.pdf`));
  }

  private async certificateModel(id: string) {
    const cert = await this.outputs.certificate(id);
    return readableCertificate(cert.payload, new Map(), {
      json: `/v1/requests/${id}/certificate`,
      pdf: `/console/requests/${id}/certificate.pdf`,
    });
  }

  @Get('requests/:id')
  @RequireScopes('requests:read')
  async request(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    void reply.send(await this.page.render(req, reply, id, null));
  }

  /** Art. 12(3): told to the person by e-mail, or (without an address) how and when staff told them. */
  @Post('requests/:id/extend')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async extend(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await this.formAction(
      req,
      reply,
      id,
      { form: 'extend', fields: EXTEND_FIELDS, values: b },
      'extended',
      async () => {
        const toldAt = formInstant(b.toldAt);
        const dto = await asDto(ExtendRequestDto, {
          // Not 1 or 2: the text as sent, which the DTO refuses with the field named.
          months: /^[12]$/.test(formText(b.months)) ? Number(b.months) : formText(b.months),
          reason: formText(b.reason),
          ...(formText(b.toldBy) || toldAt ? { toldBy: formText(b.toldBy) || undefined, toldAt } : {}),
        });
        await this.requests.extend(id, dto);
      },
    );
  }

  @Post('requests/:id/reject')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async reject(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await this.formAction(
      req,
      reply,
      id,
      { form: 'reject', fields: REJECT_FIELDS, values: b },
      'rejected',
      async () => {
        const dto = await asDto(RejectRequestDto, { reason: formText(b.reason) });
        await this.requests.reject(id, dto.reason);
      },
    );
  }

  @Post('requests/:id/retry')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async retry(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, `/console/requests/${id}`, 'retried', () => this.requests.retry(id));
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
    const state = { form: 'complete' as const, taskId, fields: COMPLETE_FIELDS, values: b };
    await this.formAction(req, reply, id, state, 'completed', async () => {
      // Nothing is pre-selected: an outcome not chosen is refused under its field rather than guessed.
      const dto = await asDto(TaskResultDto, {
        status: formText(b.status),
        ...(formText(b.reason) ? { reason: formText(b.reason) } : {}),
      });
      await this.results.complete(id, taskId, dto);
    });
  }

  private formAction(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: { form: RequestForm; taskId?: string; fields: readonly string[]; values: Form },
    notice: string,
    fn: () => Promise<void>,
  ) {
    return submitForm(this.view, req, reply, {
      fields: state.fields,
      codeFields: CODE_FIELDS,
      textKeys: TEXT_KEYS[state.form],
      page: `/console/requests/${id}`,
      run: async () => {
        await fn();
        return notice;
      },
      sendBack: (errors) => this.page.render(req, reply, id, { ...state, errors }, 422),
    });
  }
}
