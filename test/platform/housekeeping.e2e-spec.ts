import { randomUUID } from 'node:crypto';
import { Housekeeping } from '../../src/jobs';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 25 item 8: every table that grows has a retention. Each table's rule deletes what is past its time and
 * nothing else; the rows here are aged by hand, since the rules read only their timestamps.
 */
describe('platform: housekeeping deletes what each table keeps past its time', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({
      env: { SMTP_URL: smtp.url, DELIVERY_LOG_RETENTION_DAYS: '30', RETENTION_RUN_ITEMS_DAYS: '90' },
    });
  });

  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const count = async (sql: string, params: unknown[] = []) => ((await q(sql, params)) as { n: number }[])[0].n;

  /** A portal request of a known address, once the worker has sent its verification link (a token and an e-mail). */
  async function intake(): Promise<string> {
    const email = `hk.${randomUUID().slice(0, 8)}@example.com`;
    const subject = await t.request('POST', '/v1/subjects', { email });
    expect(subject.status).toBe(201);
    const r = await t.request('POST', '/public/requests', { type: 'access', email }, { key: null });
    expect(r.status).toBe(202);
    return eventually(async () => {
      const [row] = await q(
        `SELECT r.id FROM requests r JOIN request_tokens k ON k.request_id = r.id WHERE r.subject_id = $1`,
        [subject.body.id],
      );
      return row?.id as string | undefined;
    });
  }

  it('deletes old delivery logs, spent links, old run items and finished e-mails; keeps the rest', async () => {
    // Delivery logs: consent webhooks, OpenGDPR call-backs, breach digests; one old, one recent each.
    const [oldSub, newSub] = [randomUUID(), randomUUID()];
    await q(
      `INSERT INTO consent_webhook_deliveries (subscription_id, event_id, attempts, created_at)
       VALUES ($1, gen_random_uuid(), 1, now() - interval '31 days'), ($2, gen_random_uuid(), 1, now() - interval '29 days')`,
      [oldSub, newSub],
    );
    const pending = await intake();
    const done = await intake();
    await q(`UPDATE requests SET status = 'cancelled' WHERE id = $1`, [done]);
    await q(
      `INSERT INTO opengdpr_requests (subject_request_id, request_id, controller_id, api_version, body_sha256)
       VALUES ($1, $2, 'ctl', '0.1', repeat('0', 64))`,
      [done, done],
    );
    await q(
      `INSERT INTO opengdpr_callbacks (id, subject_request_id, url, request_status, created_at)
       VALUES ($1, $3, 'https://ctl.example/cb', 'completed', now() - interval '31 days'),
              ($2, $3, 'https://ctl.example/cb', 'completed', now() - interval '1 day')`,
      [randomUUID(), randomUUID(), done],
    );
    await q(
      `INSERT INTO breach_digests (period_start, email_id, breaches) VALUES
         (date_trunc('hour', now()) - interval '31 days', gen_random_uuid(), 1),
         (date_trunc('hour', now()) - interval '1 day', gen_random_uuid(), 1)`,
    );
    // Links: both requests' links expired 8 days ago; the request still awaiting verification keeps its own.
    await q(`UPDATE request_tokens SET expires_at = now() - interval '8 days' WHERE request_id = ANY($1::uuid[])`, [
      [pending, done],
    ]);
    // E-mails: the verification mails, once the worker is done with them, made old; one made to look still queued.
    await eventually(async () =>
      (await count(`SELECT count(*)::int AS n FROM outgoing_emails WHERE sent_at IS NULL AND failed_at IS NULL`)) === 0
        ? true
        : undefined,
    );
    await q(`UPDATE outgoing_emails SET created_at = now() - interval '400 days'`);
    await q(
      `UPDATE outgoing_emails SET sent_at = NULL, failed_at = NULL WHERE id = (SELECT min(id::text)::uuid FROM outgoing_emails)`,
    );
    // Run items: of a run finished 91 days ago, and of one finished yesterday.
    const [oldRun, newRun] = [randomUUID(), randomUUID()];
    await q(
      `INSERT INTO retention_runs (id, status, dry_run, source, requested_by, as_of, policies, finished_at) VALUES
         ($1, 'completed', true, 'api', 'test', now(), '[]', now() - interval '91 days'),
         ($2, 'completed', true, 'api', 'test', now(), '[]', now() - interval '1 day')`,
      [oldRun, newRun],
    );
    await q(
      `INSERT INTO retention_run_items (run_id, subject_id, policy_key, outcome, batch)
       SELECT r, gen_random_uuid(), 'p', 'erased', 1 FROM unnest($1::uuid[]) AS r, generate_series(1, 3)`,
      [[oldRun, newRun]],
    );
    const emails = await count(`SELECT count(*)::int AS n FROM outgoing_emails`);
    expect(emails).toBeGreaterThanOrEqual(2);

    expect(await t.get(Housekeeping).run()).toEqual({
      consent_webhook_deliveries: 1,
      opengdpr_callbacks: 1,
      breach_digests: 1,
      request_tokens: 1,
      outgoing_emails: emails - 1,
      retention_run_items: 3,
    });

    expect(await q(`SELECT subscription_id FROM consent_webhook_deliveries`)).toEqual([{ subscription_id: newSub }]);
    expect(await count(`SELECT count(*)::int AS n FROM opengdpr_callbacks`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM breach_digests`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM request_tokens WHERE request_id = $1`, [done])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM request_tokens WHERE request_id = $1`, [pending])).toBe(1);
    expect(await q(`SELECT sent_at, failed_at FROM outgoing_emails`)).toEqual([{ sent_at: null, failed_at: null }]);
    expect(await q(`SELECT DISTINCT run_id FROM retention_run_items`)).toEqual([{ run_id: newRun }]);

    // Idempotent: the second run finds nothing.
    expect(Object.values(await t.get(Housekeeping).run()).every((n) => n === 0)).toBe(true);
  });
});
