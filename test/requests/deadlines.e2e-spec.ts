import { QueueRegistry } from '../../src/jobs/queue-registry.service';
import { RequestDeadlines } from '../../src/requests/request-deadlines.service';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject } from './support';

const DAY = 24 * 3600 * 1000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
const DPO = 'iod-requests@example.com';

/** The clock's watchman: at-risk and overdue flags, the DPO digest, /metrics. */
describe('requests: deadlines', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({
      role: 'all',
      env: { SMTP_URL: smtp.url, REQUEST_SWEEP_INTERVAL_MS: 300, DPO_EMAIL: DPO, DPO_LOCALE: 'en' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('flags at-risk and overdue requests, tells the DPO once a day, and counts them on /metrics', async () => {
    const s = await createSubject(t);
    const create = async (type: string, receivedAt: string) =>
      (await t.request('POST', '/v1/requests', { type, subjectId: s.id, receivedAt })).body.id as string;
    const fresh = await create('access', daysAgo(1));
    const atRisk = await create('erasure', daysAgo(28));
    const overdue = await create('portability', daysAgo(45));

    // The worker's scheduler runs the sweep; nobody calls it here.
    await eventually(async () => {
      const states = await Promise.all(
        [fresh, atRisk, overdue].map(async (id) => (await t.request('GET', `/v1/requests/${id}`)).body.deadlineState),
      );
      if (states.join() !== 'ok,at_risk,overdue') throw new Error(states.join());
      return true;
    });
    const flagged = await t.dataSource.query(
      `SELECT target_id, data FROM audit_log WHERE action = 'request.deadline_flagged' ORDER BY seq`,
    );
    expect(
      flagged.map((f: { target_id: string; data: { to: string } }) => `${f.target_id}:${f.data.to}`).sort(),
    ).toEqual([`${atRisk}:at_risk`, `${overdue}:overdue`].sort());

    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toMatch(/zgoda_request_deadlines\{state="overdue"\} 1\b/);
    expect(metrics.text).toMatch(/zgoda_request_deadlines\{state="at_risk"\} 1\b/);
    expect(metrics.text).toMatch(/zgoda_requests_open 3\b/);

    const schedulers = await t.get(QueueRegistry).get('maintenance').getJobSchedulers();
    expect(schedulers.map((j) => j.key)).toEqual(
      expect.arrayContaining(['maintenance.request-sweep', 'maintenance.request-digest']),
    );

    const deadlines = t.get(RequestDeadlines);
    expect(await deadlines.digest()).toEqual({ sent: true });
    expect(await deadlines.digest()).toEqual({ sent: false });
    const mail = await eventually(async () => smtp.to(DPO)[0]);
    expect(mail.subject).toBe('Data-subject requests: 1 overdue, 1 due within 7 days');
    expect(mail.text).toContain(overdue);
    expect(mail.text).toContain(atRisk);
    expect(mail.text).not.toContain(fresh);
    expect(mail.text).toContain('OVERDUE');
    expect(mail.text).not.toContain(s.email);

    // An extension moves the deadline: the flag follows.
    await t.request('POST', `/v1/requests/${atRisk}/extend`, { months: 2, reason: 'Archive restore needed.' });
    await eventually(async () => (await t.request('GET', `/v1/requests/${atRisk}`)).body.deadlineState === 'ok');
  });
});
