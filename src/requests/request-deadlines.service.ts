import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { Env } from '../config/env';
import { JobHandler } from '../jobs';
import { MetricsService } from '../metrics';
import { NotificationsService } from '../notifications';
import { HeldErasures } from './held-erasures.service';
import { LEGAL_ZONE } from './legal-clock';
import { RequestNotices } from './request-notices.service';
import { RequestTransitions } from './request-transitions.service';
import { REASON_CODES } from './request.types';
import { RequestsRepository } from './requests.repository';

// Both scheduled by the registry in src/jobs/schedules.ts (REQUEST_SWEEP_INTERVAL_MS, REQUEST_DIGEST_CRON).
const SWEEP_JOB = 'maintenance.request-sweep';
const DIGEST_JOB = 'maintenance.request-digest';
const BATCH = 200;
const DIGEST_MAX_ITEMS = 50;

/**
 * The clock's watchman, in the worker: expires requests nobody verified (they end rejected,
 * identity_not_verified), flags open requests at risk (REQUEST_AT_RISK_DAYS) or overdue, tells the DPO
 * once a day, and shows the counts on /metrics.
 */
@Injectable()
export class RequestDeadlines implements OnModuleInit {
  private readonly logger = new Logger(RequestDeadlines.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly transitions: RequestTransitions,
    private readonly notices: RequestNotices,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly held: HeldErasures,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    const open = this.metrics.gauge('zgoda_requests_open', 'Open data-subject requests');
    const deadlines = this.metrics.gauge(
      'zgoda_request_deadlines',
      'Open data-subject requests at risk (deadline within REQUEST_AT_RISK_DAYS) or overdue (Art. 12(3))',
      ['state'],
    );
    this.metrics.onCollect(async () => {
      const c = await this.repo.deadlineCounts(this.env.REQUEST_AT_RISK_DAYS);
      open.set(c.open);
      deadlines.set({ state: 'at_risk' }, c.atRisk);
      deadlines.set({ state: 'overdue' }, c.overdue);
    });
  }

  @JobHandler(SWEEP_JOB)
  async sweep(): Promise<{ expired: number; flagged: number; resumed: number }> {
    const expired = await this.expireUnverified();
    const flagged = await this.flagDeadlines();
    const resumed = await this.held.resume();
    return { expired, flagged, resumed };
  }

  /** Each in its own transaction and re-checked under lock: a link used a moment ago wins. */
  async expireUnverified(): Promise<number> {
    const before = new Date(Date.now() - this.env.REQUEST_UNVERIFIED_EXPIRY_MINUTES * 60_000);
    let n = 0;
    for (const id of await this.repo.expiredUnverified(before, BATCH)) {
      await this.dataSource.transaction(async (m) => {
        const r = await this.repo.lock(m, id);
        if (!r || r.status !== 'awaiting_verification') return;
        // Only a held address is written to (an unknown one has no contact sealed), so nothing tells a
        // stranger whether an address is a customer's (Recital 64).
        await this.notices.rejected(m, r, this.notices.notVerifiedReason(r.locale));
        await this.transitions.apply(m, r, 'completed', {
          resolution: 'rejected',
          code: REASON_CODES.identityNotVerified,
        });
        n += 1;
      });
    }
    return n;
  }

  async flagDeadlines(): Promise<number> {
    let n = 0;
    for (const { id, state } of await this.repo.deadlineChanges(this.env.REQUEST_AT_RISK_DAYS, BATCH)) {
      await this.dataSource.transaction(async (m) => {
        const r = await this.repo.lock(m, id);
        if (!r || r.deadlineState === state) return;
        if (!(await this.repo.setDeadlineState(m, id, r.deadlineState, state))) return;
        await this.audit.append(m, {
          action: 'request.deadline_flagged',
          targetType: 'request',
          targetId: id,
          subjectId: r.subjectId,
          data: { from: r.deadlineState, to: state, dueAt: (r.extendedDueAt ?? r.dueAt).toISOString() },
        });
        n += 1;
      });
    }
    return n;
  }

  /** Once a day (the Warsaw date is the key), only when something is at risk or late. */
  @JobHandler(DIGEST_JOB)
  async digest(): Promise<{ sent: boolean }> {
    const days = this.env.REQUEST_AT_RISK_DAYS;
    const counts = await this.repo.deadlineCounts(days);
    if (!counts.atRisk && !counts.overdue) return { sent: false };
    const today = DateTime.now().setZone(LEGAL_ZONE).startOf('day');
    const key = today.toISODate()!;
    const period = await this.repo.periodCounts(today.minus({ days: 1 }).toJSDate(), today.toJSDate());
    const items = await this.repo.needingAttention(days, DIGEST_MAX_ITEMS);
    const sent = await this.dataSource.transaction(async (m) => {
      await this.repo.advisoryLock(m, DIGEST_JOB);
      if ((await this.audit.findForTarget('request_digest', key)).length) return false;
      const emailId = await this.notifications.queueEmail(m, {
        to: this.env.DPO_EMAIL,
        template: 'request-digest',
        locale: this.env.DPO_LOCALE,
        model: {
          asOf: today.toISO(),
          dueSoonDays: days,
          counts: { ...counts, receivedYesterday: period.received, completedYesterday: period.completed },
          items: items.map((i) => ({
            id: i.id,
            type: i.type,
            dueAt: new Date(i.due).toISOString(),
            overdue: new Date(i.due).getTime() < Date.now(),
          })),
          more: Math.max(0, counts.atRisk + counts.overdue - items.length),
        },
      });
      await this.audit.append(m, {
        action: 'request.digest_queued',
        targetType: 'request_digest',
        targetId: key,
        data: { emailId, atRisk: counts.atRisk, overdue: counts.overdue },
      });
      return true;
    });
    if (sent) this.logger.log({ atRisk: counts.atRisk, overdue: counts.overdue }, 'requests digest queued for the DPO');
    return { sent };
  }
}
