import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { RegisterService } from '../register';
import { CsrfProtected } from '../web';
import { ConsoleApi } from './console-api.service';
import { ConsolePage } from './console-error.filter';
import { ConsoleNames } from './console-names';
import { act, AuditRow, Form } from './console-pages';
import { ConsoleView, may, redirect } from './console-view';

const REGISTER_FORMATS = ['pdf', 'xlsx', 'csv', 'html', 'json'];
// The kinds of object the audit page names in words; any other is "object" with its id.
const TARGETS = new Set([
  'api_key',
  'breach',
  'consent',
  'consent_import',
  'purpose',
  'register',
  'request',
  'request_task',
  'retention_policy',
  'retention_run',
  'staff_user',
  'subject',
  'subject_hold',
  'system',
]);

/** The console's accountability pages: the audit log and its check, the Art. 30 register, retention runs. */
@ConsolePage()
@Controller('console')
export class ConsoleComplianceController {
  constructor(
    private readonly view: ConsoleView,
    private readonly api: ConsoleApi,
    private readonly registers: RegisterService,
    private readonly names: ConsoleNames,
  ) {}

  @Get('audit')
  @RequireScopes('audit:read')
  async auditLog(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Form) {
    const lang = this.view.lang(req, reply);
    const [page, verified] = await Promise.all([
      this.api.get<{ items: AuditRow[] }>(req, '/v1/audit?limit=100'),
      q.verify
        ? this.api.get<{ valid: boolean; checked: number; fault?: { kind: string; position?: number } }>(
            req,
            '/v1/audit/verify',
          )
        : null,
    ]);
    const title = this.view.t(lang, 'audit.title');
    // A hundred entries are made by a handful of people and keys: each is looked up once.
    const seen = new Map<string, Promise<string | null>>();
    const nameOnce = (actor: string) => {
      if (!seen.has(actor)) seen.set(actor, this.names.nameOf(actor, lang));
      return seen.get(actor)!;
    };
    const html = this.view.render(
      req,
      reply,
      'audit',
      {
        title,
        entries: await Promise.all(
          page.items.map(async (e) => ({
            ...e,
            who: (await nameOnce(`${e.actor.type}:${e.actor.id}`)) ?? '',
            targetLabel: this.view.t(lang, `target.${TARGETS.has(e.target.type) ? e.target.type : 'other'}`),
            targetId: e.target.id ?? '',
          })),
        ),
        verified: verified
          ? {
              valid: verified.valid,
              text: verified.valid
                ? this.view.t(lang, 'audit.valid', { checked: verified.checked })
                : this.view.t(lang, 'audit.invalid', {
                    fault: this.view.t(lang, `audit.fault.${verified.fault?.kind ?? 'edited'}`),
                    position: verified.fault?.position ?? '?',
                  }),
            }
          : null,
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Get('register')
  @RequireScopes('register:read')
  async register(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const lang = this.view.lang(req, reply);
    const title = this.view.t(lang, 'register.title');
    const { version: v, gaps } = await this.registers.generate('controller', lang);
    const [lastUpdatedBy, signedOffBy] = await Promise.all([
      this.names.nameOf(v.lastUpdatedBy, lang),
      this.names.nameOf(v.signedOffBy, lang),
    ]);
    const html = this.view.render(
      req,
      reply,
      'register',
      {
        title,
        downloads: REGISTER_FORMATS.map((f) => ({
          href: `/v1/register?format=${f}&lang=${lang}`,
          label: this.view.t(lang, 'register.download', { format: f.toUpperCase() }),
        })),
        canSignOff: may(req, 'register:write'),
        version: { ...v, lastUpdatedBy, signedOffBy },
        gaps: gaps.map((g) => ({
          where: g.activity ?? this.view.t(lang, 'register.controllerBlock'),
          header: g.header,
          message: g.message,
          mandatory: g.severity === 'mandatory',
          severity: this.view.t(lang, `register.severity.${g.severity}`),
        })),
        mandatoryGaps: gaps.filter((g) => g.severity === 'mandatory').length,
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Post('register/sign-off')
  @RequireScopes('register:write')
  @CsrfProtected()
  async signOff(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    // Art. 30 wants every mandatory column filled: signing off with gaps is the DPO's call, made knowingly. Checked
    // against the register as it is now, not as the page showed it.
    const { gaps } = await this.registers.generate('controller', this.view.lang(req, reply));
    if (gaps.some((g) => g.severity === 'mandatory') && b.confirmGaps !== 'yes') {
      return redirect(reply, '/console/register?problem=gaps_not_confirmed');
    }
    await act(reply, '/console/register', 'signed', () =>
      this.api.call(req, 'POST', '/v1/register/sign-off', b.note ? { note: b.note } : {}),
    );
  }

  @Get('retention')
  @RequireScopes('retention:manage')
  async retention(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const lang = this.view.lang(req, reply);
    const [policies, runs] = await Promise.all([
      this.api.get<{ items: Record<string, any>[] }>(req, '/v1/retention/policies?limit=200'),
      this.api.get<{ items: Record<string, any>[] }>(req, '/v1/retention/runs?limit=20'),
    ]);
    const title = this.view.t(lang, 'retention.title');
    const html = this.view.render(
      req,
      reply,
      'retention',
      {
        title,
        policies: policies.items.map((p) => ({
          key: p.key,
          description: p.description?.[lang] ?? p.period,
          actionLabel: this.view.t(lang, `retentionAction.${p.action}`),
          active: !!p.active,
        })),
        runs: runs.items.map((r) => ({
          id: r.id,
          dryRun: !!r.dryRun,
          statusLabel: this.view.t(lang, `runStatus.${r.status}`),
          asOf: r.asOf,
          scanned: r.scanned ?? 0,
          matched: r.matched ?? 0,
          processed: r.processed ?? 0,
          failed: r.failed ?? 0,
        })),
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Post('retention/dry-run')
  @RequireScopes('retention:manage')
  @CsrfProtected()
  async dryRun(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await act(reply, '/console/retention', 'dryrun', () =>
      this.api.call(req, 'POST', '/v1/retention/runs', { dryRun: true }),
    );
  }
}
