import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AffectedSubjectsService,
  AuthorityNotificationsService,
  breachInput,
  BreachesService,
  BreachReportService,
  BreachStatus,
  toBreachView,
} from '../breaches';
import { RequireScopes } from '../common/auth/scopes';
import { CsrfProtected } from '../web';
import {
  BREACH_FIELDS,
  createBody,
  NOTIFICATION_FIELDS,
  notificationBody,
  SELECTION_FIELDS,
  selectionBody,
  updateBody,
} from './console-breach-form';
import { BreachPageState, ConsoleBreachPages } from './console-breach-pages';
import { ConsolePage } from './console-error.filter';
import { FieldErrors, fieldErrors, noErrors, submitForm } from './console-forms';
import { act, Form, Id, isRefusal } from './console-pages';
import { ConsoleView, redirect } from './console-view';

/**
 * The breach register in the console (Art. 33-34): record an incident, keep it current, record the notification
 * to UODO and print it, choose the people affected (preview, then confirm) and send them the Art. 34 notice.
 */
// Refusals about one field with a code of their own: shown under that field.
const CODE_FIELDS = { late_notification_reason_required: 'delayReasons', selection_too_broad: 'systems' };

@ConsolePage()
@Controller('console/breaches')
@RequireScopes('breaches:manage')
export class ConsoleBreachesController {
  constructor(
    private readonly view: ConsoleView,
    private readonly pages: ConsoleBreachPages,
    private readonly breaches: BreachesService,
    private readonly notifications: AuthorityNotificationsService,
    private readonly affected: AffectedSubjectsService,
    private readonly report: BreachReportService,
  ) {}

  @Get()
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.pages.list(req, reply));
  }

  @Get('new')
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.pages.create(req, reply, {}, noErrors(BREACH_FIELDS)));
  }

  @Post()
  @CsrfProtected()
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    try {
      const dto = await createBody(b, await this.pages.systemKeys());
      const created = await this.breaches.create(breachInput(dto) as Parameters<BreachesService['create']>[0]);
      redirect(reply, `/console/breaches/${created.id}?notice=breach`);
    } catch (e) {
      const errors = fieldErrors(this.view, this.view.lang(req, reply), BREACH_FIELDS, e);
      if (!errors) throw e;
      void reply.send(await this.pages.create(req, reply, b, errors, 422));
    }
  }

  @Get(':id')
  async detail(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    void reply.send(await this.pages.detail(req, reply, id));
  }

  @Post(':id')
  @CsrfProtected()
  async update(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await this.formAction(req, reply, id, 'edit', b, BREACH_FIELDS, 'saved', async () => {
      const current = toBreachView(await this.breaches.get(id));
      await this.breaches.update(id, breachInput(await updateBody(b, await this.pages.systemKeys(), current)));
    });
  }

  @Post(':id/contained')
  @CsrfProtected()
  async contained(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, `/console/breaches/${id}`, 'contained', () =>
      this.breaches.update(id, { status: BreachStatus.Contained }),
    );
  }

  @Post(':id/closed')
  @CsrfProtected()
  async closed(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, `/console/breaches/${id}`, 'closed', () =>
      this.breaches.update(id, { status: BreachStatus.Closed }),
    );
  }

  @Post(':id/notifications')
  @CsrfProtected()
  async notify(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await this.formAction(req, reply, id, 'notification', b, NOTIFICATION_FIELDS, 'notified', async () => {
      const dto = await notificationBody(b);
      await this.notifications.record(id, {
        sentAt: new Date(dto.sentAt),
        phase: dto.phase,
        reference: dto.reference,
        delayReasons: dto.delayReasons,
      });
    });
  }

  /** The Art. 33(3) notification in Polish, to read or to copy into the UODO form (it is UODO's language). */
  @Get(':id/report')
  async reportHtml(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const html = await this.report.authorityReportHtml(id);
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .send(html);
  }

  @Get(':id/report.pdf')
  async reportPdf(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const pdf = await this.report.authorityReportPdf(id);
    void reply
      .header('content-type', 'application/pdf')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="zgloszenie-naruszenia-${id}.pdf"`)
      .send(pdf);
  }

  /** A preview changes nothing: the page comes back with the count and a form that confirms exactly these criteria. */
  @Post(':id/affected/preview')
  @CsrfProtected()
  async preview(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Body() b: Form,
  ) {
    try {
      const dto = await selectionBody(b, await this.pages.systemKeys());
      const preview = await this.affected.select(id, this.criteria(dto, { dryRun: true }));
      const criteria = Object.fromEntries(Object.entries(b).filter(([k]) => k !== '_csrf'));
      const state: BreachPageState = { form: 'selection', values: b, errors: noErrors(SELECTION_FIELDS) };
      void reply.send(await this.pages.detail(req, reply, id, { ...state, preview: { ...preview, criteria } }));
    } catch (e) {
      const errors = fieldErrors(this.view, this.view.lang(req, reply), SELECTION_FIELDS, e, CODE_FIELDS);
      if (errors) return this.sendBack(req, reply, id, 'selection', b, errors);
      if (!isRefusal(e)) throw e;
      redirect(reply, `/console/breaches/${id}?problem=${e.code}`);
    }
  }

  @Post(':id/affected/confirm')
  @CsrfProtected()
  async confirm(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Body() b: Form,
  ) {
    await this.formAction(req, reply, id, 'selection', b, SELECTION_FIELDS, 'selected', async () => {
      const dto = await selectionBody(b, await this.pages.systemKeys());
      await this.affected.select(id, this.criteria(dto, { confirm: true }));
    });
  }

  @Post(':id/notices')
  @CsrfProtected()
  async notices(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, `/console/breaches/${id}`, 'notices', () => this.affected.requestNotices(id));
  }

  private criteria(
    dto: Awaited<ReturnType<typeof selectionBody>>,
    mode: { dryRun: true } | { confirm: true },
  ): Parameters<AffectedSubjectsService['select']>[1] {
    return {
      systems: dto.systems,
      dataCategories: dto.dataCategories,
      from: dto.from ? new Date(dto.from) : undefined,
      to: dto.to ? new Date(dto.to) : undefined,
      ...mode,
    };
  }

  private formAction(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: 'edit' | 'notification' | 'selection',
    b: Form,
    fields: readonly string[],
    notice: string,
    fn: () => Promise<unknown>,
  ) {
    return submitForm(this.view, req, reply, {
      fields,
      codeFields: CODE_FIELDS,
      page: `/console/breaches/${id}`,
      run: async () => {
        await fn();
        return notice;
      },
      sendBack: (errors) => this.pages.detail(req, reply, id, { form, values: b, errors }, 422),
    });
  }

  private async sendBack(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: 'edit' | 'notification' | 'selection',
    values: Form,
    errors: FieldErrors,
  ) {
    void reply.send(await this.pages.detail(req, reply, id, { form, values, errors }, 422));
  }
}
