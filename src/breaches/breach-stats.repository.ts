import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NOTIFY_AUTHORITY_WITHIN_HOURS, REPORTING_ZONE } from './breach-deadline';

export interface Distribution {
  count: number;
  median: number | null;
  p90: number | null;
}

export interface BreachStatsRow {
  total: number;
  byMonth: { month: string; count: number }[];
  byRisk: { none: number; risk: number; high_risk: number; unassessed: number };
  byStatus: { open: number; contained: number; notified: number; closed: number };
  hoursToContainment: Distribution;
  hoursToAuthorityNotification: Distribution;
  notifiedLateCount: number;
}

const round2 = (v: number | null): number | null => (v === null ? null : Math.round(Number(v) * 100) / 100);
const HOURS = (col: string) => `EXTRACT(EPOCH FROM (${col} - aware_at)) / 3600`;

@Injectable()
export class BreachStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Figures for incidents the controller became aware of in [from, to). Median and p90 are PostgreSQL's
   * `percentile_cont`: linear interpolation between the two closest ranks.
   */
  async stats(from: Date, to: Date): Promise<BreachStatsRow> {
    const params = [from, to];
    const window = `aware_at >= $1 AND aware_at < $2`;
    const months = (await this.dataSource.query(
      `SELECT to_char(aware_at AT TIME ZONE '${REPORTING_ZONE}', 'YYYY-MM') AS month, count(*)::int AS count
         FROM breaches WHERE ${window} GROUP BY 1 ORDER BY 1`,
      params,
    )) as { month: string; count: number }[];
    const [r] = (await this.dataSource.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE risk_assessment = 'none')::int AS risk_none,
              count(*) FILTER (WHERE risk_assessment = 'risk')::int AS risk_risk,
              count(*) FILTER (WHERE risk_assessment = 'high_risk')::int AS risk_high,
              count(*) FILTER (WHERE risk_assessment IS NULL)::int AS risk_unassessed,
              count(*) FILTER (WHERE status = 'open')::int AS s_open,
              count(*) FILTER (WHERE status = 'contained')::int AS s_contained,
              count(*) FILTER (WHERE status = 'notified')::int AS s_notified,
              count(*) FILTER (WHERE status = 'closed')::int AS s_closed,
              count(contained_at)::int AS contained,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${HOURS('contained_at')}) AS contain_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ${HOURS('contained_at')}) AS contain_p90,
              count(authority_notified_at)::int AS notified,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${HOURS('authority_notified_at')}) AS notify_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ${HOURS('authority_notified_at')}) AS notify_p90,
              count(*) FILTER (
                WHERE authority_notified_at > aware_at + interval '${NOTIFY_AUTHORITY_WITHIN_HOURS} hours'
              )::int AS notified_late
         FROM breaches WHERE ${window}`,
      params,
    )) as Record<string, number | null>[];
    const n = (k: string) => Number(r[k] ?? 0);
    return {
      total: n('total'),
      byMonth: months,
      byRisk: {
        none: n('risk_none'),
        risk: n('risk_risk'),
        high_risk: n('risk_high'),
        unassessed: n('risk_unassessed'),
      },
      byStatus: { open: n('s_open'), contained: n('s_contained'), notified: n('s_notified'), closed: n('s_closed') },
      hoursToContainment: { count: n('contained'), median: round2(r.contain_median), p90: round2(r.contain_p90) },
      hoursToAuthorityNotification: {
        count: n('notified'),
        median: round2(r.notify_median),
        p90: round2(r.notify_p90),
      },
      notifiedLateCount: n('notified_late'),
    };
  }
}
