import { Injectable, OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import { MetricsService } from '../metrics';
import { REPORTING_ZONE } from './breach-deadline';
import { BreachStatsRepository, BreachStatsRow } from './breach-stats.repository';
import { BreachesRepository } from './breaches.repository';

export interface BreachStats extends BreachStatsRow {
  from: string | null;
  to: string;
  /** Now, whatever the window: incidents whose 72-hour clock is close to or past its end. */
  deadlines: { atRisk: number; overdue: number };
}

// /metrics shows the last twelve calendar months: long enough for trends, short enough to move.
const METRICS_MONTHS = 12;

@Injectable()
export class BreachStatsService implements OnModuleInit {
  constructor(
    private readonly statsRepo: BreachStatsRepository,
    private readonly breaches: BreachesRepository,
    private readonly metrics: MetricsService,
  ) {}

  async stats(from: Date | undefined, to: Date | undefined): Promise<BreachStats> {
    const end = to ?? new Date();
    const [row, deadlines] = await Promise.all([
      this.statsRepo.stats(from ?? new Date(0), end),
      this.breaches.clockCounts(),
    ]);
    return { from: from?.toISOString() ?? null, to: end.toISOString(), ...row, deadlines };
  }

  /** The same figures as GET /v1/breaches/stats, for the last twelve months, computed at scrape time. */
  onModuleInit(): void {
    const m = this.metrics;
    const deadline = m.gauge(
      'zgoda_breach_deadlines',
      'Breaches whose 72-hour clock is at risk (<=24h left) or overdue',
      ['state'],
    );
    const byMonth = m.gauge(
      'zgoda_breaches_by_month',
      'Breaches by month of awareness (Europe/Warsaw), last 12 months',
      ['month'],
    );
    const byRisk = m.gauge('zgoda_breaches_by_risk', 'Breaches by risk assessment, last 12 months', ['risk']);
    const byStatus = m.gauge('zgoda_breaches_by_status', 'Breaches by status, last 12 months', ['status']);
    const hours = m.gauge(
      'zgoda_breach_hours',
      'Hours from awareness to containment / first notification to UODO, last 12 months',
      ['to', 'quantile'],
    );
    const late = m.gauge(
      'zgoda_breaches_notified_late',
      'Breaches first notified to UODO after 72 hours, last 12 months',
    );
    m.onCollect(async () => {
      const from = DateTime.now()
        .setZone(REPORTING_ZONE)
        .startOf('month')
        .minus({ months: METRICS_MONTHS - 1 });
      const s = await this.stats(from.toJSDate(), undefined);
      deadline.set({ state: 'at_risk' }, s.deadlines.atRisk);
      deadline.set({ state: 'overdue' }, s.deadlines.overdue);
      byMonth.reset();
      for (const { month, count } of s.byMonth) byMonth.set({ month }, count);
      for (const [risk, n] of Object.entries(s.byRisk)) byRisk.set({ risk }, n);
      for (const [status, n] of Object.entries(s.byStatus)) byStatus.set({ status }, n);
      const dist = { containment: s.hoursToContainment, authority_notification: s.hoursToAuthorityNotification };
      hours.reset();
      for (const [to, d] of Object.entries(dist)) {
        if (d.median !== null) hours.set({ to, quantile: '0.5' }, d.median);
        if (d.p90 !== null) hours.set({ to, quantile: '0.9' }, d.p90);
      }
      late.set(s.notifiedLateCount);
    });
  }
}
