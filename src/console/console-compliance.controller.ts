import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { AuditService, AuditVerifier } from '../audit';
import { RegisterService, SignOffDto } from '../register';
import { policyView, RetentionPoliciesService, RetentionRunsService, runView } from '../retention';
import { asDto, formText } from './console-forms';
import { CsrfProtected } from '../web';
import { ConsolePage } from './console-error.filter';
import { ConsoleNames } from './console-names';
import { act, Form } from './console-pages';
import { ConsoleView, may, redirect } from './console-view';

const POLICIES_SHOWN = 200;
const RUNS_SHOWN = 20;
const REGISTER_FORMATS = ['pdf', 'xlsx', 'csv', 'html', 'json'];
/** The console's accountability pages: the audit log and its check, the Art. 30 register, retention runs. */
@ConsolePage()
@Controller('console')
export class ConsoleComplianceController {
  constructor(
    private readonly view: ConsoleView,
    private readonly policies: RetentionPoliciesService,
    private readonly runs: RetentionRunsService,
    private readonly audit: AuditService,
    private readonly verifier: AuditVerifier,
    private readonly registers: RegisterService,
    private readonly names: ConsoleNames,
  ) {}

  @Get('audit')
  @RequireScopes('audit:read')
  async auditLog(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Form) {
    const lang = this.view.lang(req, reply);
    const [rows, verified] = await Promise.all([
      this.audit.list({ limit: 100 }),
      q.verify ? this.verifier.verify() : null,
    ]);
    const title = this.view.t(lang, 'audit.title');
    const html = this.view.render(
      req,
      reply,
      'audit',
      {
        title,
        entries: await this.names.auditEntries(rows, lang),
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
    await act(reply, '/console/register', 'signed', async () => {
      const { note } = await asDto(SignOffDto, formText(b.note) ? { note: formText(b.note) } : {});
      return this.registers.signOff('controller', note ?? null);
    });
  }

  @Get('retention')
  @RequireScopes('retention:manage')
  async retention(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const lang = this.view.lang(req, reply);
    const [policies, runs] = await Promise.all([
      this.policies.list(undefined, POLICIES_SHOWN).then((rows) => rows.map(policyView)),
      this.runs.list(undefined, RUNS_SHOWN).then((rows) => rows.map(runView)),
    ]);
    const title = this.view.t(lang, 'retention.title');
    const html = this.view.render(
      req,
      reply,
      'retention',
      {
        title,
        policies: policies.map((p) => ({
          key: p.key,
          description: p.description?.[lang] ?? p.period,
          actionLabel: this.view.t(lang, `retentionAction.${p.action}`),
          active: !!p.active,
        })),
        runs: runs.map((r) => ({
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
    // `api`: started by a person on request (the console's staff, as through the API), not by the schedule.
    await act(reply, '/console/retention', 'dryrun', () => this.runs.start({ dryRun: true, source: 'api' }));
  }
}
