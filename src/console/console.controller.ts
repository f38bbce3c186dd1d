import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Public, RequireScopes } from '../auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { OPEN_STATUSES } from '../requests/request-state';
import { REQUEST_STATUSES, REQUEST_TYPES } from '../requests/request.types';
import { CsrfProtected } from '../web/csrf.guard';
import type { PageLang } from '../web/web-strings';
import { ConsoleApi } from './console-api.service';
import { ConsolePage } from './console-error.filter';
import { ConsoleView, may, redirect } from './console-view';

type Form = Record<string, string | undefined>;
const Id = () => new ParseUUIDPipe({ version: '4' });
// The legal clock still runs on a failed request: it is open work with a deadline (request-state.ts).
const OPEN: readonly string[] = OPEN_STATUSES;
const SETTLED_TASKS = ['done', 'failed', 'retained'];
const CHANNELS = ['email', 'sms', 'phone', 'auto_call', 'push', 'post'];
const REGISTER_FORMATS = ['pdf', 'xlsx', 'csv', 'html', 'json'];

/**
 * The staff console (PRODUCT.md 10). Each route declares the scope its page needs, so a role without
 * it gets the 403 page from the global guard; sections a role may not see are left out of a page.
 */
@ConsolePage()
@Controller('console')
export class ConsoleController {
  constructor(
    private readonly view: ConsoleView,
    private readonly api: ConsoleApi,
    private readonly audit: AuditService,
    private readonly dataSource: DataSource,
    private readonly env: Env,
  ) {}

  @Get()
  @Public()
  home(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!req.staffSession) throw new ProblemError('unauthorized');
    redirect(reply, req.staffSession.session.passwordExpired ? '/console/account' : this.view.home(req));
  }

  // ---- requests ----

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
    const rows = page.items.map((r) => this.requestRow(r, lang));
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

  @Get('requests/:id')
  @RequireScopes('requests:read')
  async request(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const lang = this.view.lang(req, reply);
    const [r, clock, audit] = await Promise.all([
      this.api.get<RequestRow & Record<string, any>>(req, `/v1/requests/${id}`),
      this.api.get<{ canExtend: boolean; extendedAt: string | null }>(req, `/v1/requests/${id}/clock`),
      this.api.optional<{ items: AuditRow[] }>(req, `/v1/audit?targetId=${id}&limit=100`),
    ]);
    const row = this.requestRow(r, lang);
    const timeline = [
      { at: r.receivedAt, label: this.view.t(lang, 'request.ev_received') },
      r.verifiedAt ? { at: r.verifiedAt, label: this.view.t(lang, 'request.ev_verified') } : null,
      clock.extendedAt ? { at: clock.extendedAt, label: this.view.t(lang, 'request.ev_extended') } : null,
      r.completedAt ? { at: r.completedAt, label: this.view.t(lang, 'request.ev_completed') } : null,
    ].filter(Boolean);
    const writable = may(req, 'requests:write');
    const tasks = (r.tasks as TaskRow[]).map((t) => ({
      ...t,
      lastError: t.lastError ?? null,
      manual: writable && t.kind === 'manual' && !SETTLED_TASKS.includes(t.status),
    }));
    const title = this.view.t(lang, 'request.title', { type: this.typeLabel(r.type, lang) });
    const html = this.view.render(
      req,
      reply,
      'request',
      {
        title,
        r: {
          ...row,
          resolution: r.resolution ?? null,
          extensionMonths: r.extensionMonths ?? 0,
          subjectId: r.subjectId ?? null,
        },
        timeline,
        tasks,
        audit: audit ? audit.items.slice().reverse() : null,
        canExtend: writable && clock.canExtend,
        canReject: writable && row.open,
        canRetry: writable && r.status === 'failed',
        download: r.resultAvailable ? `/v1/requests/${id}/result` : null,
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
    await this.act(req, reply, `/console/requests/${id}`, 'extended', () =>
      this.api.call(req, 'POST', `/v1/requests/${id}/extend`, {
        months: Number(b.months),
        reason: String(b.reason ?? ''),
      }),
    );
  }

  @Post('requests/:id/reject')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async reject(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await this.act(req, reply, `/console/requests/${id}`, 'rejected', () =>
      this.api.call(req, 'POST', `/v1/requests/${id}/reject`, { reason: String(b.reason ?? '') }),
    );
  }

  @Post('requests/:id/retry')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async retry(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await this.act(req, reply, `/console/requests/${id}`, 'retried', () =>
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
    await this.act(req, reply, `/console/requests/${id}`, 'completed', () =>
      this.api.call(req, 'POST', `/v1/requests/${id}/tasks/${taskId}/complete`, {
        status: b.status,
        ...(b.reason ? { reason: b.reason } : {}),
      }),
    );
  }

  // ---- subjects and consents ----

  @Get('consents')
  @RequireScopes('consent:read')
  async consents(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Form) {
    if (q.subjectId && /^[0-9a-f-]{36}$/i.test(q.subjectId.trim()))
      return redirect(reply, `/console/subjects/${q.subjectId.trim().toLowerCase()}`);
    const lang = this.view.lang(req, reply);
    const purposes = await this.api.get<{ items: PurposeRow[] }>(req, '/v1/purposes?limit=200');
    const title = this.view.t(lang, 'consents.title');
    const html = this.view.render(
      req,
      reply,
      'consents',
      {
        title,
        purposes: purposes.items.map((p) => ({ key: p.key, name: p.name, currentVersion: p.currentVersion ?? null })),
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Get('subjects/:id')
  @RequireScopes('consent:read', 'subjects:read')
  async subject(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const lang = this.view.lang(req, reply);
    const seesIdentity = may(req, 'subjects:read');
    const [identity, consents, requests, purposes] = await Promise.all([
      seesIdentity ? this.api.get<Record<string, any>>(req, `/v1/subjects/${id}`) : null,
      this.api.optional<{ items: ConsentRow[] }>(req, `/v1/subjects/${id}/consents`),
      this.api.optional<{ items: RequestRow[] }>(req, `/v1/requests?subjectId=${id}&limit=100`),
      may(req, 'consent:write') ? this.api.get<{ items: PurposeRow[] }>(req, '/v1/purposes?limit=200') : null,
    ]);
    if (identity) {
      // Art. 32 and the accountability principle: who looked at whose personal data is on record.
      await this.dataSource.transaction((m) =>
        this.audit.append(m, {
          action: 'subject.viewed',
          targetType: 'subject',
          targetId: id,
          subjectId: identity.id,
          data: { via: 'console' },
        }),
      );
    }
    const title = this.view.t(lang, 'subject.title');
    const html = this.view.render(
      req,
      reply,
      'subject',
      {
        title,
        id,
        identity: identity
          ? {
              email: identity.email ?? null,
              phone: identity.phone ?? null,
              name: [identity.firstName, identity.lastName].filter(Boolean).join(' ') || null,
              externalId: identity.externalId ?? null,
              status: identity.status,
            }
          : null,
        holds: identity
          ? (identity.holds as HoldRow[]).map((h) => ({ reason: h.reason ?? null, active: !!h.active }))
          : null,
        consents: consents
          ? consents.items.map((c) => ({
              ...c,
              grantedAt: c.grantedAt ?? null,
              proofHref: c.consentId ? `/v1/subjects/${id}/consents/${c.consentId}/proof` : null,
            }))
          : null,
        requests: requests ? requests.items.map((r) => this.requestRow(r, lang)) : null,
        record: purposes
          ? {
              purposes: purposes.items.filter((p) => p.currentVersion).map((p) => ({ key: p.key, name: p.name })),
              channels: CHANNELS,
            }
          : null,
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Post('subjects/:id/consents')
  @RequireScopes('consent:write')
  @CsrfProtected()
  async recordConsent(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Body() b: Form,
  ) {
    await this.act(req, reply, `/console/subjects/${id}`, 'recorded', async () => {
      const purpose = await this.api.get<PurposeRow>(
        req,
        `/v1/purposes/${encodeURIComponent(String(b.purpose ?? ''))}`,
      );
      if (!purpose.currentVersion) throw new ProblemError('unpublished_version');
      return this.api.call(req, 'POST', `/v1/subjects/${id}/consents`, {
        purpose: purpose.key,
        channel: b.channel,
        version: purpose.currentVersion,
        locale: b.locale === 'en' ? 'en' : 'pl',
        decision: b.decision,
        expressedBy: 'subject',
        // The staff member's id, not their name: the proof says who recorded it without personal data.
        source: { method: 'store', staffId: req.principal!.id, ...(b.location ? { location: b.location } : {}) },
      });
    });
  }

  // ---- audit, register, retention, keys ----

  @Get('audit')
  @RequireScopes('audit:read')
  async auditLog(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Form) {
    const lang = this.view.lang(req, reply);
    const [page, verified] = await Promise.all([
      this.api.get<{ items: AuditRow[] }>(req, '/v1/audit?limit=100'),
      q.verify
        ? this.api.get<{ valid: boolean; checked: number; firstInvalidSeq?: string }>(req, '/v1/audit/verify')
        : null,
    ]);
    const title = this.view.t(lang, 'audit.title');
    const html = this.view.render(
      req,
      reply,
      'audit',
      {
        title,
        entries: page.items.map((e) => ({ ...e, targetId: e.target.id ?? '' })),
        verified: verified
          ? {
              valid: verified.valid,
              text: verified.valid
                ? this.view.t(lang, 'audit.valid', { checked: verified.checked })
                : this.view.t(lang, 'audit.invalid', { seq: verified.firstInvalidSeq ?? '?' }),
            }
          : null,
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Get('register')
  @RequireScopes('register:read')
  register(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const lang = this.view.lang(req, reply);
    const title = this.view.t(lang, 'register.title');
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
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Post('register/sign-off')
  @RequireScopes('register:write')
  @CsrfProtected()
  async signOff(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    await this.act(req, reply, '/console/register', 'signed', () =>
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
          action: p.action,
          active: !!p.active,
        })),
        runs: runs.items.map((r) => ({
          id: r.id,
          dryRun: !!r.dryRun,
          status: r.status,
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
    await this.act(req, reply, '/console/retention', 'dryrun', () =>
      this.api.call(req, 'POST', '/v1/retention/runs', { dryRun: true }),
    );
  }

  @Get('keys')
  @RequireScopes('keys:manage')
  async keys(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.keysPage(req, reply, null));
  }

  @Post('keys')
  @RequireScopes('keys:manage')
  @CsrfProtected()
  async createKey(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    const scopes = String(b.scopes ?? '')
      .split(/[\s,]+/)
      .filter(Boolean);
    try {
      const created = await this.api.call<{ key: string }>(req, 'POST', '/v1/api-keys', { name: b.name ?? '', scopes });
      // Shown once on this response, never in a URL (Post/Redirect/Get would need to carry it).
      void reply.send(await this.keysPage(req, reply, created.key));
    } catch (e) {
      if (!(e instanceof ProblemError) || e.status >= 500) throw e;
      redirect(reply, `/console/keys?problem=${e.code}`);
    }
  }

  @Post('keys/:id/revoke')
  @RequireScopes('keys:manage')
  @CsrfProtected()
  async revokeKey(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await this.act(req, reply, '/console/keys', 'revoked', () => this.api.call(req, 'DELETE', `/v1/api-keys/${id}`));
  }

  // ---- own account ----

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
    await this.act(req, reply, '/console/account', 'password', () =>
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
    const enrol = await this.api.call<{ secret: string }>(req, 'POST', '/v1/users/me/totp');
    void reply.send(await this.accountPage(req, reply, enrol.secret));
  }

  @Post('account/totp/confirm')
  @Public()
  @CsrfProtected()
  async totpConfirm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    if (!req.staffSession) throw new ProblemError('unauthorized');
    await this.act(req, reply, '/console/account', 'totp', () =>
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

  // ---- helpers ----

  /** Post/Redirect/Get: back to the page with a notice, or with the problem's code when the API refused. */
  private async act(
    req: FastifyRequest,
    reply: FastifyReply,
    back: string,
    notice: string,
    fn: () => Promise<unknown>,
  ) {
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof ProblemError) || e.status >= 500 || e.code === 'forbidden' || e.code === 'unauthorized')
        throw e;
      return redirect(reply, `${back}?problem=${e.code}`);
    }
    redirect(reply, `${back}?notice=${notice}`);
  }

  private async keysPage(req: FastifyRequest, reply: FastifyReply, createdKey: string | null) {
    const lang = this.view.lang(req, reply);
    const keys = await this.api.get<{ items: Record<string, any>[] }>(req, '/v1/api-keys?limit=200');
    const title = this.view.t(lang, 'keys.title');
    return this.view.render(
      req,
      reply,
      'keys',
      {
        title,
        createdKey,
        keys: keys.items.map((k) => ({
          id: k.id,
          name: k.name,
          prefix: k.prefix,
          scopes: k.scopes.join(', '),
          revoked: !!k.revokedAt,
        })),
      },
      { lang, title },
    );
  }

  private async accountPage(req: FastifyRequest, reply: FastifyReply, totpSecret: string | null) {
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
        totpSecret,
        passwordExpired: !!me.passwordExpired,
        minLength: this.env.STAFF_PASSWORD_MIN_LENGTH,
      },
      { lang, title, wide: false },
    );
  }

  private typeLabel(type: string, lang: PageLang): string {
    return this.view.pages.text(lang, `console.type.${type}`);
  }

  private requestRow(r: RequestRow, lang: PageLang) {
    const due = r.extendedDueAt ?? r.dueAt;
    const open = OPEN.includes(r.status);
    const dueMs = new Date(due).getTime();
    const deadline = !open
      ? 'closed'
      : dueMs < Date.now()
        ? 'overdue'
        : dueMs < Date.now() + this.env.REQUEST_AT_RISK_DAYS * 86_400_000
          ? 'atRisk'
          : 'onTime';
    return {
      id: r.id,
      href: `/console/requests/${r.id}`,
      type: r.type,
      typeLabel: this.typeLabel(r.type, lang),
      status: this.view.t(lang, `status.${r.status}`),
      receivedAt: r.receivedAt,
      due,
      dueSort: dueMs,
      open,
      deadline,
      deadlineLabel: this.view.t(lang, `requests.${deadline}`),
      badge: deadline === 'overdue' ? 'bad' : deadline === 'atRisk' ? 'warn' : deadline === 'closed' ? 'neutral' : 'ok',
    };
  }
}

interface RequestRow {
  id: string;
  type: string;
  status: string;
  receivedAt: string;
  dueAt: string;
  extendedDueAt: string | null;
}
interface TaskRow {
  id: string;
  system: string;
  kind: string;
  action: string;
  status: string;
  attempts: number;
  lastError: string | null;
}
interface AuditRow {
  seq: string;
  occurredAt: string;
  actor: { type: string; id: string };
  action: string;
  target: { type: string; id: string | null };
}
interface PurposeRow {
  key: string;
  name: string;
  currentVersion: number | null;
}
interface ConsentRow {
  purpose: string;
  channel: string;
  status: string;
  consentId: string | null;
  version: number | null;
  grantedAt: string | null;
}
interface HoldRow {
  reason?: string;
  active?: boolean;
}
