import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AffectedCountsView,
  AffectedSelection,
  AuthorityNotificationList,
  AuthorityNotificationRecorded,
  BreachDetail,
  BreachEventView,
  BreachResponse,
  BreachStatsResponse,
} from './breaches.responses';
import type { FastifyReply } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { decodeCursor, ListQuery, pageOf } from '../common/http/pagination';
import { Idempotent } from '../idempotency';
import { AffectedSubjectsService } from './affected-subjects.service';
import { AuthorityNotificationsService } from './authority-notifications.service';
import { BreachReportService } from './breach-report.service';
import { BreachStatsService } from './breach-stats.service';
import { toBreachView, toEventView, toNotificationView } from './breach.view';
import {
  AuthorityNotificationDto,
  AuthorityReportQuery,
  BreachStatsQuery,
  CreateBreachDto,
  ListBreachesQuery,
  SelectAffectedSubjectsDto,
  toInput,
  UpdateBreachDto,
} from './breaches.dto';
import { BreachesService } from './breaches.service';
import { ApiFile, ApiPage, ApiProblem } from '../common/openapi/responses';

const Id = () => Param('id', new ParseUUIDPipe({ version: '4' }));

@ApiTags('breaches')
@Controller('v1/breaches')
@RequireScopes('breaches:manage')
export class BreachesController {
  constructor(
    private readonly breaches: BreachesService,
    private readonly notifications: AuthorityNotificationsService,
    private readonly affected: AffectedSubjectsService,
    private readonly stats: BreachStatsService,
    private readonly report: BreachReportService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: BreachResponse })
  @Idempotent<BreachesController, BreachResponse>({
    ref: (b) => ({ id: b.id }),
    replay: async (c, r) => toBreachView(await c.breaches.get(String(r.id))),
  })
  @ApiOperation({ summary: 'Record a personal data breach (Art. 33(5)); the 72-hour clock starts at awareAt' })
  async create(@Body() dto: CreateBreachDto) {
    const input = toInput(dto) as Parameters<BreachesService['create']>[0];
    return toBreachView(await this.breaches.create(input));
  }

  @Get()
  @ApiPage(BreachResponse)
  @ApiOperation({ summary: 'Incidents, most recent awareness first' })
  async list(@Query() q: ListBreachesQuery) {
    const cursor = decodeCursor<{ awareAt: string; id: string }>(q.cursor, ['awareAt', 'id']);
    const rows = await this.breaches.list({
      status: q.status,
      riskAssessment: q.riskAssessment,
      overdue: q.overdue,
      atRisk: q.atRisk,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      after: cursor,
      limit: q.limit + 1,
    });
    const now = new Date();
    return pageOf(
      rows,
      q.limit,
      (b) => toBreachView(b, now),
      (b) => ({ awareAt: b.awareAt.toISOString(), id: b.id }),
    );
  }

  @Get('stats')
  @ApiOkResponse({ type: BreachStatsResponse })
  @ApiOperation({ summary: 'KPIs: incidents per month, hours to containment and to notification, late notifications' })
  statistics(@Query() q: BreachStatsQuery): Promise<BreachStatsResponse> {
    return this.stats.stats(q.from ? new Date(q.from) : undefined, q.to ? new Date(q.to) : undefined);
  }

  @Get(':id')
  @ApiOkResponse({ type: BreachDetail })
  @ApiOperation({ summary: 'One incident with its deadline and its notifications to the authority' })
  async get(@Id() id: string): Promise<BreachDetail> {
    const [breach, notifications, affected] = await Promise.all([
      this.breaches.get(id),
      this.notifications.list(id),
      this.affected.counts(id),
    ]);
    return {
      ...toBreachView(breach),
      authorityNotifications: notifications.map(toNotificationView),
      affectedSubjects: affected,
    };
  }

  @Patch(':id')
  @ApiOkResponse({ type: BreachResponse })
  @ApiProblem('invalid_transition')
  @ApiOperation({ summary: 'Change an incident; every change is kept in its history' })
  async update(@Id() id: string, @Body() dto: UpdateBreachDto) {
    return toBreachView(await this.breaches.update(id, toInput(dto)));
  }

  @Get(':id/history')
  @ApiPage(BreachEventView)
  @ApiOperation({ summary: 'Every change to the incident with the values, oldest first' })
  async history(@Id() id: string, @Query() q: ListQuery) {
    const cursor = decodeCursor<{ seq: string }>(q.cursor, ['seq']);
    const rows = await this.breaches.history(id, cursor?.seq, q.limit + 1);
    return pageOf(rows, q.limit, toEventView, (e) => ({ seq: String(e.seq) }));
  }

  @Post(':id/authority-notifications')
  @ApiCreatedResponse({ type: AuthorityNotificationRecorded })
  @ApiProblem('invalid_transition')
  @Idempotent<BreachesController, AuthorityNotificationRecorded>({
    ref: (b) => ({ id: b.id, breach: b.breach.id }),
    replay: async (c, r) => {
      const [breach, all] = await Promise.all([
        c.breaches.get(String(r.breach)),
        c.notifications.list(String(r.breach)),
      ]);
      return { ...toNotificationView(all.find((n) => n.id === r.id)!), breach: toBreachView(breach) };
    },
  })
  @ApiOperation({ summary: 'Record a notification sent to UODO (Art. 33); the first sets status notified' })
  async notifyAuthority(
    @Id() id: string,
    @Body() dto: AuthorityNotificationDto,
  ): Promise<AuthorityNotificationRecorded> {
    const { breach, notification } = await this.notifications.record(id, {
      sentAt: new Date(dto.sentAt),
      phase: dto.phase,
      reference: dto.reference,
      delayReasons: dto.delayReasons,
    });
    return { ...toNotificationView(notification), breach: toBreachView(breach) };
  }

  @Get(':id/authority-notifications')
  @ApiOkResponse({ type: AuthorityNotificationList })
  @ApiOperation({ summary: 'The notifications sent to UODO, oldest first' })
  async listAuthorityNotifications(@Id() id: string) {
    return { items: (await this.notifications.list(id)).map(toNotificationView) };
  }

  @Get(':id/authority-report')
  @ApiFile('The report: HTML by default, PDF with format=pdf', 'text/html', 'application/pdf')
  @ApiOperation({ summary: 'The Art. 33(3) notification in Polish (HTML or PDF), ready for the UODO form' })
  async authorityReport(
    @Id() id: string,
    @Query() q: AuthorityReportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | Buffer> {
    void reply.header('cache-control', 'no-store');
    if (q.format === 'pdf') {
      const pdf = await this.report.authorityReportPdf(id);
      void reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="zgloszenie-naruszenia-${id}.pdf"`);
      return pdf;
    }
    void reply.header('content-type', 'text/html; charset=utf-8');
    return this.report.authorityReportHtml(id);
  }

  @Post(':id/affected-subjects/select')
  @ApiOkResponse({ type: AffectedSelection })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Select the subjects affected (ids only); preview with dryRun, record with confirm: true',
    description:
      'Refused (422 selection_too_broad) when neither systems nor data categories narrow it. Selecting again adds, never removes.',
  })
  select(@Id() id: string, @Body() dto: SelectAffectedSubjectsDto): Promise<AffectedSelection> {
    return this.affected.select(id, {
      systems: dto.systems,
      dataCategories: dto.dataCategories,
      from: dto.from ? new Date(dto.from) : undefined,
      to: dto.to ? new Date(dto.to) : undefined,
      dryRun: dto.dryRun,
      confirm: dto.confirm,
    });
  }

  @Get(':id/affected-subjects')
  @ApiOkResponse({ type: AffectedCountsView })
  @ApiOperation({ summary: 'How many affected subjects were sent the Art. 34 notice and how many wait' })
  affectedCounts(@Id() id: string) {
    return this.affected.counts(id);
  }

  @Post(':id/subject-notices')
  @ApiAcceptedResponse({ type: AffectedCountsView, description: 'Queued; the counts now' })
  @ApiProblem('invalid_transition')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send the Art. 34 notice to every affected subject not told yet (high risk only)' })
  sendNotices(@Id() id: string) {
    return this.affected.requestNotices(id);
  }
}
