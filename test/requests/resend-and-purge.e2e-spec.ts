import { RequestResultPurge, RESULT_PURGE_JOB } from '../../src/requests/request-result-purge.service';
import { QueueRegistry } from '../../src/jobs/queue-registry.service';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, waitForStatus } from './support';

const DAY = 24 * 3600 * 1000;

describe('requests: resending the verification e-mail, and purging old packages', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({
      role: 'all',
      env: { SMTP_URL: smtp.url, PUBLIC_RATE_LIMIT_PER_MINUTE: 1000, REQUEST_VERIFICATION_RESENDS: 2 },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const links = (email: string) =>
    smtp
      .to(email)
      .filter((m) => m.subject.startsWith('Please confirm'))
      .map((m) => /token=([A-Za-z0-9_-]+)/.exec(m.text)![1]);
  /** What the passing of the resend interval amounts to: the last link was issued two minutes ago. */
  const timePasses = (requestId: string) =>
    t.dataSource.query(
      `UPDATE request_tokens SET created_at = created_at - interval '2 minutes' WHERE request_id = $1`,
      [requestId],
    );

  it('staff resend a fresh link, at most REQUEST_VERIFICATION_RESENDS times and not too often; old links die', async () => {
    const s = await createSubject(t, { locale: 'en' });
    const r = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, locale: 'en' });
    expect(r.status).toBe(201);
    const id = r.body.id as string;
    await eventually(async () => links(s.email).length === 1);

    const tooSoon = await t.request('POST', `/v1/requests/${id}/verification/resend`);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body).toMatchObject({ code: 'resend_limited', remaining: 2 });
    expect(tooSoon.body.retryAfterSeconds).toBeGreaterThan(0);

    await timePasses(id);
    const first = await t.request('POST', `/v1/requests/${id}/verification/resend`);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id, resent: true, remainingResends: 1 });
    await timePasses(id);
    expect((await t.request('POST', `/v1/requests/${id}/verification/resend`)).body.remainingResends).toBe(0);
    await timePasses(id);
    const over = await t.request('POST', `/v1/requests/${id}/verification/resend`);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 'resend_limited', remaining: 0 });

    const all = await eventually(async () => (links(s.email).length === 3 ? links(s.email) : null));
    expect(new Set(all).size).toBe(3);
    // Only the newest link works.
    for (const old of all.slice(0, 2)) {
      expect((await t.request('POST', '/public/verify', { token: old }, { key: null })).status).toBe(410);
    }
    const ok = await t.request('POST', '/public/verify', { token: all[2] }, { key: null });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ outcome: 'verified', requestId: id });
    // Verified: nothing left to resend.
    expect((await t.request('POST', `/v1/requests/${id}/verification/resend`)).body.code).toBe('invalid_transition');

    const audit = await t.request('GET', `/v1/audit?targetId=${id}&limit=100`);
    const resent = audit.body.items.filter((e: { action: string }) => e.action === 'request.verification_resent');
    expect(resent.map((e: { data: { resend: number } }) => e.data.resend).sort()).toEqual([1, 2]);
    expect(JSON.stringify(audit.body)).not.toContain(s.email);
  });

  it('the portal resends with the same answer for known and unknown addresses', async () => {
    const s = await createSubject(t, { locale: 'pl' });
    expect(
      (await t.request('POST', '/public/requests', { type: 'erasure', email: s.email }, { key: null })).status,
    ).toBe(202);
    await eventually(async () => smtp.to(s.email).length === 1);
    const [{ id }] = await t.dataSource.query(`SELECT id FROM requests WHERE subject_id = $1`, [s.id]);
    await timePasses(id);

    const known = await t.request(
      'POST',
      '/public/requests/resend',
      { type: 'erasure', email: s.email },
      { key: null },
    );
    const unknown = await t.request(
      'POST',
      '/public/requests/resend',
      { type: 'erasure', email: 'nobody-here@example.com' },
      { key: null },
    );
    const noRequest = await t.request(
      'POST',
      '/public/requests/resend',
      { type: 'access', email: s.email },
      { key: null },
    );
    expect([known.status, unknown.status, noRequest.status]).toEqual([202, 202, 202]);
    expect(unknown.body).toEqual(known.body);
    expect(noRequest.body).toEqual(known.body);
    await eventually(async () => smtp.to(s.email).length === 2);
    // Over the interval: still 202, and no third e-mail.
    expect(
      (await t.request('POST', '/public/requests/resend', { type: 'erasure', email: s.email }, { key: null })).body,
    ).toEqual(known.body);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.to(s.email)).toHaveLength(2);
    expect(smtp.to('nobody-here@example.com')).toHaveLength(0);
    expect((await t.request('POST', '/public/requests/resend', { type: 'erasure' }, { key: null })).status).toBe(422);
  });

  it('purges a package once its download period is over; the request and the audit stay', async () => {
    const maintenance = t.get(QueueRegistry).get('maintenance');
    expect(await maintenance.getJobScheduler(RESULT_PURGE_JOB)).toMatchObject({ pattern: '30 3 * * *' });

    const s = await createSubject(t, { locale: 'pl' });
    const r = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, verified: true });
    await waitForStatus(t, r.body.id, ['completed']);
    const id = r.body.id as string;
    await eventually(async () => (await t.request('GET', `/v1/requests/${id}/result`)).status === 200);

    const purge = t.get(RequestResultPurge);
    expect(await purge.purge()).toEqual({ purged: 0 });
    const later = new Date(Date.now() + 7 * DAY + 60_000);
    // Every package made in this file so far (the first test's access request made one too).
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM request_results`);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(await purge.purge(later)).toEqual({ purged: n });
    expect(await purge.purge(later)).toEqual({ purged: 0 });

    const gone = await t.request('GET', `/v1/requests/${id}/result`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('result_not_available');
    expect(await t.dataSource.query(`SELECT 1 FROM request_results WHERE request_id = $1`, [id])).toHaveLength(0);
    expect((await t.request('GET', `/v1/requests/${id}`)).body.status).toBe('completed');
    const audit = await t.request('GET', `/v1/audit?targetId=${id}&limit=100`);
    const purged = audit.body.items.filter((e: { action: string }) => e.action === 'request.result_purged');
    expect(purged).toHaveLength(1);
    expect(purged[0].data).toMatchObject({ ttlDays: 7 });
    expect(purged[0].data.size).toBeGreaterThan(0);
  });
});
