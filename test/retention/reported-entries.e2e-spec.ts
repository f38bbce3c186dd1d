import { eventually, startTestApp, TestApp } from '../support/test-app';

const YEAR = 365.25 * 24 * 3600 * 1000;
const yearsAgo = (n: number) => new Date(Date.now() - n * YEAR).toISOString();

/**
 * Issue 13 item 15: retention triggers that fire. Medical records run from the last entry the records system
 * reports, complaints from the settlement it reports: not from Zgoda's own last activity.
 */
describe('retention: periods counted from dates data systems report', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'all' });
    for (const p of [
      {
        key: 'exam-records',
        dataCategory: 'eye_exam_records',
        trigger: 'end_of_year_after_last_entry',
        period: 'P2Y',
        action: 'review',
        legalBasis: 'ustawa o prawach pacjenta, art. 29',
      },
      {
        key: 'complaints',
        dataCategory: 'complaints',
        trigger: 'complaint_settled',
        period: 'P1Y',
        action: 'review',
        legalBasis: 'ustawa o rachunkowości, art. 74 ust. 2 pkt 6',
      },
    ])
      expect((await t.request('POST', '/v1/retention/policies', p)).status).toBe(201);
  });
  afterAll(() => t?.close());

  const subject = async () => (await t.request('POST', '/v1/subjects', {})).body.id as string;
  const report = (id: string, body: Record<string, unknown>) => t.request('POST', `/v1/subjects/${id}/activity`, body);

  it('takes reports, keeps the latest per kind and system, and refuses a bad kind or a time without a zone', async () => {
    const id = await subject();
    expect((await report(id, { kind: 'eye_exam_records', system: 'optometry', at: yearsAgo(5) })).status).toBe(204);
    expect((await report(id, { kind: 'eye_exam_records', system: 'optometry', at: yearsAgo(6) })).status).toBe(204);
    const rows = (await t.dataSource.query(
      `SELECT kind, system_key, last_at FROM subject_entries WHERE subject_id = $1`,
      [id],
    )) as { kind: string; system_key: string; last_at: Date }[];
    expect(rows).toHaveLength(1);
    expect(Math.abs(rows[0].last_at.getTime() - Date.parse(yearsAgo(5)))).toBeLessThan(60_000);
    expect((await report(id, { kind: 'Eye Exams!' })).status).toBe(422);
    expect((await report(id, { kind: 'complaint_settled', at: '2026-01-31T23:30:00' })).status).toBe(422);
    const audit = await t.request('GET', `/v1/audit?subjectId=${id}&action=subject.entry_recorded`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].data).toMatchObject({ kind: 'eye_exam_records', system: 'optometry' });
  });

  it('a run counts medical and complaint periods from the reported dates', async () => {
    const oldExam = await subject(); // seen in the store today, last exam entry five years ago
    await report(oldExam, { kind: 'eye_exam_records', system: 'optometry', at: yearsAgo(5) });
    const recentExam = await subject(); // an exam entry last month
    await report(recentExam, { kind: 'eye_exam_records', at: yearsAgo(0.1) });
    const settled = await subject(); // complaint settled two years ago
    await report(settled, { kind: 'complaint_settled', system: 'shop', at: yearsAgo(2) });
    const noComplaint = await subject();

    const started = await t.request('POST', '/v1/retention/runs', { dryRun: true });
    expect(started.status).toBe(202);
    await eventually(async () => {
      const r = await t.request('GET', `/v1/retention/runs/${started.body.id}`);
      return r.body.status === 'completed' ? r.body : null;
    }, 30_000);
    const items = (await t.request('GET', `/v1/retention/runs/${started.body.id}/items?limit=500`)).body.items as {
      subjectId: string;
      policy: string;
      outcome: string;
    }[];
    const outcome = (id: string, policy: string) =>
      items.find((i) => i.subjectId === id && i.policy === policy)?.outcome;
    // Zgoda's own last activity with each of them is today: only the reported dates can make these due.
    expect(outcome(oldExam, 'exam-records')).toBe('would_review');
    expect(outcome(recentExam, 'exam-records')).toBeUndefined();
    expect(outcome(settled, 'complaints')).toBe('would_review');
    expect(outcome(noComplaint, 'complaints')).toBeUndefined();
  });
});
