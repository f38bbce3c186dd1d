import { startTestApp, TestApp } from '../support/test-app';

const HOUR = 3_600_000;
const plus = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * HOUR).toISOString();

interface Seed {
  awareAt: string;
  risk: 'none' | 'risk' | 'high_risk' | null;
  containedAfter?: number;
  notifiedAfter?: number;
}

// Hand-made set, January to March 2024 (all at mid-month, mid-day: no month boundary in any time zone).
const SEEDS: Seed[] = [
  { awareAt: '2024-01-10T08:00:00Z', risk: 'risk', containedAfter: 4, notifiedAfter: 20 },
  { awareAt: '2024-01-20T08:00:00Z', risk: 'high_risk', containedAfter: 10, notifiedAfter: 80 },
  { awareAt: '2024-02-05T08:00:00Z', risk: 'none', containedAfter: 2 },
  { awareAt: '2024-03-01T12:00:00Z', risk: 'risk', containedAfter: 30, notifiedAfter: 50 },
  { awareAt: '2024-03-15T08:00:00Z', risk: 'high_risk', notifiedAfter: 100 },
  { awareAt: '2024-03-20T08:00:00Z', risk: null, containedAfter: 6 },
];

describe('breach KPIs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    for (const s of SEEDS) {
      const created = await t.request('POST', '/v1/breaches', {
        description: 'seeded incident',
        awareAt: s.awareAt,
        reportedBy: 'IT',
        ...(s.risk ? { riskAssessment: s.risk, riskReasoning: 'seed' } : {}),
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      if (s.containedAfter !== undefined) {
        const res = await t.request('PATCH', `/v1/breaches/${id}`, { containedAt: plus(s.awareAt, s.containedAfter) });
        expect(res.status).toBe(200);
      }
      if (s.notifiedAfter !== undefined) {
        const res = await t.request('POST', `/v1/breaches/${id}/authority-notifications`, {
          sentAt: plus(s.awareAt, s.notifiedAfter),
          phase: 'initial',
          ...(s.notifiedAfter > 72 ? { delayReasons: 'seed' } : {}),
        });
        expect(res.status).toBe(201);
      }
    }
    // Outside the window asked for below: must not count.
    await t.request('POST', '/v1/breaches', {
      description: 'later',
      awareAt: '2024-07-02T08:00:00Z',
      reportedBy: 'IT',
    });
  });
  afterAll(() => t.close());

  it('counts per month and risk, and gives median and p90 hours, checked against a hand count', async () => {
    const res = await t.request('GET', '/v1/breaches/stats?from=2024-01-01T00:00:00Z&to=2024-07-01T00:00:00Z');
    expect(res.status).toBe(200);
    // Containment hours 4, 10, 2, 30, 6 -> sorted 2, 4, 6, 10, 30. Median: the 3rd, 6.
    // p90 by linear interpolation: rank 0.9 * (5 - 1) = 3.6 -> 10 + 0.6 * (30 - 10) = 22.
    // Notification hours 20, 80, 50, 100 -> sorted 20, 50, 80, 100. Median (50 + 80) / 2 = 65.
    // p90: rank 0.9 * 3 = 2.7 -> 80 + 0.7 * (100 - 80) = 94. Late (> 72 h): 80 and 100, so 2.
    expect(res.body).toMatchObject({
      from: '2024-01-01T00:00:00.000Z',
      to: '2024-07-01T00:00:00.000Z',
      total: 6,
      byMonth: [
        { month: '2024-01', count: 2 },
        { month: '2024-02', count: 1 },
        { month: '2024-03', count: 3 },
      ],
      byRisk: { none: 1, risk: 2, high_risk: 2, unassessed: 1 },
      byStatus: { open: 0, contained: 2, notified: 4, closed: 0 },
      hoursToContainment: { count: 5, median: 6, p90: 22 },
      hoursToAuthorityNotification: { count: 4, median: 65, p90: 94 },
      notifiedLateCount: 2,
    });
    // The unassessed March incident (no notification, awareness long past) and the July one are overdue now.
    expect(res.body.deadlines).toEqual({ atRisk: 0, overdue: 2 });
  });

  it('exposes the same figures on /metrics for the last twelve months', async () => {
    // Two recent incidents in a fresh window: containment after 3 and 5 hours, one notification after 10.
    const awareAt = new Date(Date.now() - 30 * HOUR).toISOString();
    const a = await t.request('POST', '/v1/breaches', {
      description: 'recent a',
      awareAt,
      reportedBy: 'IT',
      riskAssessment: 'risk',
      riskReasoning: 'r',
      containedAt: plus(awareAt, 3),
    });
    expect(a.status).toBe(201);
    await t.request('POST', `/v1/breaches/${a.body.id}/authority-notifications`, {
      sentAt: plus(awareAt, 10),
      phase: 'initial',
    });
    const b = await t.request('POST', '/v1/breaches', { description: 'recent b', awareAt, reportedBy: 'IT' });
    await t.request('PATCH', `/v1/breaches/${b.body.id}`, { containedAt: plus(awareAt, 5) });

    const text = (await t.request('GET', '/metrics', undefined, { key: null })).text;
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    // Median of 3 and 5 is 4; p90 3 + 0.9 * (5 - 3) = 4.8. One notification: 10 for both quantiles.
    expect(value('zgoda_breach_hours{to="containment",quantile="0.5"}')).toBe(4);
    expect(value('zgoda_breach_hours{to="containment",quantile="0.9"}')).toBe(4.8);
    expect(value('zgoda_breach_hours{to="authority_notification",quantile="0.5"}')).toBe(10);
    expect(value('zgoda_breaches_by_risk{risk="risk"}')).toBe(1);
    expect(value('zgoda_breaches_by_risk{risk="unassessed"}')).toBe(1);
    expect(value('zgoda_breaches_by_status{status="notified"}')).toBe(1);
    expect(value('zgoda_breaches_by_status{status="contained"}')).toBe(1);
    expect(value('zgoda_breaches_notified_late')).toBe(0);
    const months = text.split('\n').filter((l) => l.startsWith('zgoda_breaches_by_month{'));
    expect(months.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)).toBe(2);
    // The 2024 seeds are overdue still (no notification); the recent unassessed one has 42 hours left.
    expect(value('zgoda_breach_deadlines{state="overdue"}')).toBe(2);
    expect(value('zgoda_breach_deadlines{state="at_risk"}')).toBe(0);
  });
});
