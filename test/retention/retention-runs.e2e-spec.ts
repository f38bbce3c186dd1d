import type { Job } from 'bullmq';
import { Clock } from '../../src/common/clock/clock';
import { QueueRegistry } from '../../src/jobs/queue-registry.service';
import { RetentionScheduler } from '../../src/retention/retention-scheduler.service';
import { SubjectLookupService } from '../../src/subjects/subject-lookup.service';
import { grant, publishedPurpose, uniqueEmail } from '../consent/consent-fixtures';
import { WebhookReceiver } from '../requests/support';
import { eventually, startTestApp, TestApp } from '../support/test-app';

const DAY = 24 * 3600 * 1000;
const SHOP_SECRET = 'retention-shop-secret-0123456789';
const YEAR = 365.25 * DAY;

interface Item {
  subjectId: string;
  policy: string;
  category: string | null;
  outcome: string;
}

async function waitForRun(t: TestApp, id: string, ms = 30_000) {
  return eventually(async () => {
    const r = await t.request('GET', `/v1/retention/runs/${id}`);
    return r.body.status === 'completed' ? r.body : null;
  }, ms);
}

async function allItems(t: TestApp, runId: string, limit = 5): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | null = null;
  do {
    const res = await t.request(
      'GET',
      `/v1/retention/runs/${runId}/items?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status).toBe(200);
    out.push(...(res.body.items as Item[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return out;
}

const outcomes = (items: Item[]) =>
  Object.fromEntries(
    [...new Set(items.map((i) => i.subjectId))].map((s) => [
      s,
      Object.fromEntries(items.filter((i) => i.subjectId === s).map((i) => [i.policy, i.outcome])),
    ]),
  );

describe('retention: runs with the worker running', () => {
  let t: TestApp;
  let subjects: SubjectLookupService;
  const now = Date.now();
  const s: Record<string, string> = {};
  const emails: Record<string, string> = {};
  let openRequestId: string;
  let shop: WebhookReceiver;

  async function subject(name: string): Promise<string> {
    emails[name] = uniqueEmail(name);
    const res = await t.request('POST', '/v1/subjects', { email: emails[name], firstName: 'Anna' });
    expect(res.status).toBe(201);
    s[name] = res.body.id as string;
    return s[name];
  }

  async function setActivity(name: string, ago: number): Promise<void> {
    // Seeding only: time cannot pass in a test, so the record's last activity is moved back instead.
    await t.dataSource.query('UPDATE subjects SET last_activity_at = $2 WHERE id = $1', [s[name], new Date(now - ago)]);
  }

  async function snapshot() {
    const [row] = (await t.dataSource.query(`
      SELECT (SELECT string_agg(id || status || updated_at::text || last_activity_at::text, ',' ORDER BY id) FROM subjects) AS subjects,
             (SELECT count(*)::int FROM subject_identifiers) AS identifiers,
             (SELECT count(*)::int FROM subject_keys) AS keys,
             (SELECT count(*)::int FROM subject_suppressions) AS suppressions,
             (SELECT count(*)::int FROM retention_review_tasks) AS reviews,
             (SELECT count(*)::int FROM audit_log WHERE action LIKE 'subject.%') AS subject_audit`)) as unknown[];
    return row;
  }

  beforeAll(async () => {
    shop = await WebhookReceiver.start(
      SHOP_SECRET,
      () => ({ status: 200, body: { status: 'done' } }),
      () => t.baseUrl,
    );
    t = await startTestApp({
      role: 'all',
      env: {
        RETENTION_BATCH_SIZE: 4,
        RETENTION_SWEEP_CRON: 'off',
        RETENTION_CONSENT_EXPIRY_CRON: 'off',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: true,
      },
    });
    subjects = t.get(SubjectLookupService);

    const news = await publishedPurpose(t, 'newsletter');
    const names = ['stale1', 'stale2', 'stale3', 'stale4', 'fresh', 'held', 'restricted', 'asking'];
    for (const name of [...names, 'subscriber', 'withdrawn', 'oldSubscriber', 'old']) await subject(name);

    expect(
      (await t.request('POST', `/v1/subjects/${s.held}/holds`, { reason: 'Spór sądowy', legalBasis: 'legal_claims' }))
        .status,
    ).toBe(201);
    expect(
      (await t.request('POST', `/v1/subjects/${s.restricted}/restriction`, { reason: 'accuracy_contested' })).status,
    ).toBe(200);
    // An access request waiting for the subject to confirm it: open, so the data is frozen as at receipt.
    const asked = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.asking });
    expect(asked.status).toBe(201);
    expect(asked.body.status).toBe('awaiting_verification');
    openRequestId = asked.body.id as string;
    for (const name of ['subscriber', 'withdrawn', 'oldSubscriber']) {
      const res = await t.request('POST', `/v1/subjects/${s[name]}/consents`, { purpose: news, ...grant() });
      expect(res.status).toBe(201);
    }
    const w = await t.request('POST', `/v1/subjects/${s.withdrawn}/consents`, {
      purpose: news,
      ...grant({ decision: 'withdrawn' }),
    });
    expect(w.status).toBe(201);
    const ages: Record<string, number> = {
      stale1: 2.5 * YEAR,
      stale2: 2.5 * YEAR,
      stale3: 2.5 * YEAR,
      stale4: 2.5 * YEAR,
      fresh: YEAR,
      held: 2.5 * YEAR,
      restricted: 2.5 * YEAR,
      asking: 2.5 * YEAR,
      subscriber: 2.5 * YEAR,
      withdrawn: 2.5 * YEAR,
      oldSubscriber: 7 * YEAR,
      old: 7 * YEAR,
    };
    for (const [name, ago] of Object.entries(ages)) await setActivity(name, ago);

    const policies = [
      {
        key: 'contact',
        dataCategory: 'contact_data',
        trigger: 'last_activity',
        period: 'P2Y',
        action: 'anonymise',
        legalBasis: 'art. 6 ust. 1 lit. f RODO',
      },
      {
        key: 'consent-proof',
        dataCategory: 'consent_records',
        trigger: 'consent_withdrawn',
        period: 'P3Y',
        roundToYearEnd: true,
        action: 'erase',
        legalBasis: 'art. 7 ust. 1 RODO; art. 118 k.c.',
      },
      {
        key: 'exam-review',
        dataCategory: 'eye_exam_records',
        trigger: 'end_of_year_after_last_entry',
        period: 'P5Y',
        action: 'review',
        legalBasis: 'ustawa o prawach pacjenta, art. 29',
      },
    ];
    for (const p of policies) expect((await t.request('POST', '/v1/retention/policies', p)).status).toBe(201);
    // A system that holds exam records: the run names it as one to tell, since Zgoda does not reach it.
    await t.request('POST', '/v1/systems', {
      key: 'exam-records',
      name: 'Exam records',
      kind: 'manual',
      dataCategories: ['eye_exam_records'],
    });
    // Systems that also hold contact data: told when Zgoda destroys a record under the contact policy,
    // the shop by a signed call, the paper archive by a notice for a person.
    const created = await t.request('POST', '/v1/systems', {
      key: 'shop',
      name: 'Shop',
      kind: 'webhook',
      dataCategories: ['contact_data'],
      webhook: { url: shop.url, secret: SHOP_SECRET },
    });
    expect(created.status).toBe(201);
    await t.request('POST', '/v1/systems', {
      key: 'paper-archive',
      name: 'Paper archive',
      kind: 'manual',
      dataCategories: ['contact_data'],
    });
  });
  afterAll(async () => {
    await t.close();
    await shop.close();
  });

  const expectedPhase1 = (dry: boolean) => ({
    [s.stale1]: { contact: dry ? 'would_anonymise' : 'anonymised' },
    [s.stale2]: { contact: dry ? 'would_anonymise' : 'anonymised' },
    [s.stale3]: { contact: dry ? 'would_anonymise' : 'anonymised' },
    [s.stale4]: { contact: dry ? 'would_anonymise' : 'anonymised' },
    [s.held]: { contact: 'legal_hold' },
    [s.restricted]: { contact: 'restricted' },
    [s.asking]: { contact: 'open_request' },
    [s.subscriber]: { contact: 'active_consent' },
    // withdrawn today: the proof of consent is kept to the end of the year three years on
    [s.withdrawn]: { contact: 'retained' },
    [s.oldSubscriber]: { contact: 'active_consent', 'exam-review': dry ? 'would_review' : 'review_created' },
    [s.old]: { contact: dry ? 'would_anonymise' : 'anonymised', 'exam-review': 'superseded' },
  });

  let dryRunId: string;

  it('dry run: lists exactly the due subjects, with reasons for those it would leave, and changes nothing', async () => {
    const before = await snapshot();
    const started = await t.request('POST', '/v1/retention/runs', { dryRun: true });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ id: expect.any(String), dryRun: true, status: 'queued' });
    dryRunId = started.body.id;
    const run = await waitForRun(t, dryRunId);
    expect(run).toMatchObject({
      dryRun: true,
      scanned: 12,
      matched: 11,
      processed: 6,
      failed: 0,
      skipped: { legalHold: 1, openRequest: 1, restricted: 1, activeConsent: 1, retained: 1, reviewExists: 0 },
      // 12 subjects in batches of 4; the job after the third finds nothing left and closes the run
      batches: 3,
    });
    expect(run.byPolicy.contact).toMatchObject({ category: 'contact_data', action: 'anonymise', matched: 11 });
    expect(run.byPolicy['exam-review']).toMatchObject({ matched: 2, processed: 2, systemsToInform: ['exam-records'] });
    expect(run.byCategory.eye_exam_records).toEqual({ matched: 2, processed: 2, failed: 0 });
    expect(run.byPolicy.contact.systemsToInform).toEqual(['paper-archive', 'shop']);

    const items = await allItems(t, dryRunId);
    expect(outcomes(items)).toEqual(expectedPhase1(true));
    expect(items.find((i) => i.policy === 'exam-review')).toMatchObject({ category: 'eye_exam_records' });

    // The run itself lists what it would do, paged, with ids and codes only.
    const page = await t.request('GET', `/v1/retention/runs/${dryRunId}?limit=3`);
    expect(page.body.affected.items).toHaveLength(3);
    expect(page.body.affected.nextCursor).toEqual(expect.any(String));
    const wouldErase = await t.request('GET', `/v1/retention/runs/${dryRunId}/items?outcome=would_anonymise`);
    expect(wouldErase.body.items.map((i: Item) => i.subjectId).sort()).toEqual(
      [s.stale1, s.stale2, s.stale3, s.stale4, s.old].sort(),
    );
    for (const text of [page.text, wouldErase.text]) {
      for (const e of Object.values(emails)) expect(text).not.toContain(e);
    }

    expect(await snapshot()).toEqual(before);
    expect((await t.request('GET', `/v1/retention/runs/${dryRunId}/notices`)).body.items).toEqual([]);
    expect(shop.calls).toHaveLength(0);
  });

  let realRunId: string;

  it('real run: anonymises the due subjects, raises the review, leaves the others with reasons, audits each batch', async () => {
    const started = await t.request('POST', '/v1/retention/runs', {});
    expect(started.status).toBe(202);
    realRunId = started.body.id;
    const run = await waitForRun(t, realRunId);
    expect(run).toMatchObject({
      dryRun: false,
      matched: 11,
      processed: 6,
      skipped: { legalHold: 1, openRequest: 1, restricted: 1, activeConsent: 1, retained: 1, reviewExists: 0 },
    });
    expect(outcomes(await allItems(t, realRunId))).toEqual(expectedPhase1(false));

    const status = async (name: string) =>
      ((await t.dataSource.query('SELECT status FROM subjects WHERE id = $1', [s[name]])) as { status: string }[])[0]
        .status;
    for (const name of ['stale1', 'stale2', 'stale3', 'stale4', 'old']) expect(await status(name)).toBe('erased');
    for (const name of ['fresh', 'held', 'subscriber', 'withdrawn', 'oldSubscriber', 'asking']) {
      expect(await status(name)).toBe('active');
    }
    expect(await status('restricted')).toBe('restricted');
    // Anonymised, not erased on request: nothing identifies them, and they are not on the suppression list.
    expect((await t.request('GET', `/v1/subjects/${s.stale1}`)).body).toMatchObject({ status: 'erased' });
    expect(await subjects.findIdByIdentifier('email', emails.stale1)).toBeNull();
    expect(await subjects.isSuppressed('email', emails.stale1)).toBe(false);
    expect(await subjects.findIdByIdentifier('email', emails.held)).toBe(s.held);

    const reviews = await t.request('GET', '/v1/retention/reviews?status=open');
    expect(reviews.body.items).toEqual([
      expect.objectContaining({ subjectId: s.oldSubscriber, policy: 'exam-review', status: 'open', runId: realRunId }),
    ]);

    const audit = await t.request('GET', `/v1/audit?action=retention.batch&targetId=${realRunId}&limit=50`);
    expect(audit.body.items).toHaveLength(run.batches);
    const batches = audit.body.items.map((a: { data: { batch: number; processed: number } }) => a.data);
    expect(batches.map((b: { batch: number }) => b.batch).sort()).toEqual([...Array(run.batches).keys()]);
    expect(batches.reduce((n: number, b: { processed: number }) => n + b.processed, 0)).toBe(6);
    const anonymised = await t.request('GET', '/v1/audit?action=subject.anonymised&limit=50');
    expect(anonymised.body.items.map((a: { subjectId: string }) => a.subjectId).sort()).toEqual(
      [s.stale1, s.stale2, s.stale3, s.stale4, s.old].sort(),
    );
    expect(anonymised.body.items[0].reason).toBe('retention:contact');
    const completed = await t.request('GET', `/v1/audit?action=retention.run_completed&targetId=${realRunId}`);
    expect(completed.body.items).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toMatch(/@example\.com/);

    // Art. 19: the systems holding the same data are told, once per subject, with the identifiers Zgoda
    // held before it destroyed them.
    const destroyed = [s.stale1, s.stale2, s.stale3, s.stale4, s.old].sort();
    await eventually(async () => shop.calls.length >= destroyed.length || null, 20_000);
    expect(shop.calls.map((c) => c.subject.id).sort()).toEqual(destroyed);
    expect(shop.badSignatures).toBe(0);
    const call = shop.calls.find((c) => c.subject.id === s.stale1) as unknown as {
      action: string;
      retention: { runId: string; policy: string; action: string };
      subject: { identifiers: { kind: string; value: string }[] };
    };
    expect(call).toMatchObject({
      action: 'erasure',
      retention: { runId: realRunId, policy: 'contact', action: 'anonymise' },
    });
    expect(call.subject.identifiers).toEqual([{ kind: 'email', value: emails.stale1 }]);
    const told = await eventually(async () => {
      const r = await t.request('GET', `/v1/retention/runs/${realRunId}`);
      return r.body.notices.sent === destroyed.length ? r.body : null;
    }, 20_000);
    expect(told.notices).toEqual({ pending: 0, sent: 5, failed: 0, manual: 5 });
    const manual = await t.request('GET', `/v1/retention/runs/${realRunId}/notices?status=manual&limit=50`);
    expect(manual.body.items.map((n: { subjectId: string }) => n.subjectId).sort()).toEqual(destroyed);
    expect(manual.body.items[0]).toMatchObject({ system: 'paper-archive', policy: 'contact', action: 'anonymise' });
    expect(manual.text).not.toMatch(/@example\.com/);
    // The identifiers sent are kept only until the call succeeded.
    const sealed = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM retention_system_notices WHERE subject_sealed IS NOT NULL`,
    )) as { n: number }[];
    expect(sealed[0].n).toBe(0);
  });

  it('a second run finds only what was left, and raises no review twice', async () => {
    const run = await waitForRun(t, (await t.request('POST', '/v1/retention/runs', {})).body.id);
    expect(run).toMatchObject({
      scanned: 7,
      matched: 6,
      processed: 0,
      // the old subscriber's review exists, but what kept the record is the live consent
      skipped: { legalHold: 1, openRequest: 1, restricted: 1, activeConsent: 2, retained: 1, reviewExists: 0 },
    });
    expect(outcomes(await allItems(t, run.id))[s.oldSubscriber]).toEqual({
      contact: 'active_consent',
      'exam-review': 'review_exists',
    });
    expect((await t.request('GET', '/v1/retention/reviews')).body.items).toHaveLength(1);
  });

  it('with the clock moved on, the scheduled sweep erases what has since fallen due, unattended', async () => {
    expect((await t.request('POST', `/v1/requests/${openRequestId}/cancel`)).status).toBe(200);
    const toldAt = new Date().toISOString();
    expect(
      (await t.request('DELETE', `/v1/subjects/${s.restricted}/restriction`, { toldBy: 'letter', toldAt })).status,
    ).toBe(200);
    t.get(Clock).set(new Date(now + 5 * YEAR));
    // The job the scheduler enqueues at RETENTION_SWEEP_CRON, enqueued here instead of waiting for 3 a.m.
    await t.get(QueueRegistry).get('retention').add('retention.sweep', {}, { jobId: 'test-occurrence' });
    const run = await eventually(async () => {
      const list = await t.request('GET', '/v1/retention/runs?limit=1');
      const latest = list.body.items[0];
      return latest?.source === 'schedule' && latest.status === 'completed' ? latest : null;
    }, 30_000);
    expect(new Date(run.asOf).getTime()).toBeGreaterThan(now + 5 * YEAR - DAY);
    const byOutcome = outcomes(await allItems(t, run.id));
    expect(byOutcome).toEqual({
      [s.fresh]: { contact: 'anonymised', 'exam-review': 'superseded' },
      [s.held]: { contact: 'legal_hold', 'exam-review': 'legal_hold' },
      [s.restricted]: { contact: 'anonymised', 'exam-review': 'superseded' },
      [s.asking]: { contact: 'anonymised', 'exam-review': 'superseded' },
      [s.subscriber]: { contact: 'active_consent', 'exam-review': 'review_created' },
      // three years to the end of the year have passed since the withdrawal: erased, and suppressed
      [s.withdrawn]: { contact: 'erased', 'consent-proof': 'erased', 'exam-review': 'superseded' },
      [s.oldSubscriber]: { contact: 'active_consent', 'exam-review': 'review_exists' },
    });
    expect(await subjects.isSuppressed('email', emails.withdrawn)).toBe(true);
    expect(await subjects.isSuppressed('email', emails.fresh)).toBe(false);
    const erased = await t.request('GET', `/v1/audit?action=subject.erased&subjectId=${s.withdrawn}`);
    expect(erased.body.items[0].reason).toBe('retention:consent-proof');

    // At-least-once: the same scheduled occurrence delivered again starts nothing.
    const again = await t.get(RetentionScheduler).sweep({}, { id: 'test-occurrence' } as Job);
    expect(again).toEqual({ runId: null });
    const requested = await t.request('GET', '/v1/audit?action=retention.run_requested&limit=50');
    expect(requested.body.items.filter((a: { data: { source: string } }) => a.data.source === 'schedule')).toHaveLength(
      1,
    );
  });

  it('GET of an unknown run is 404, a bad policy 404 unknown_policy', async () => {
    expect((await t.request('GET', '/v1/retention/runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await t.request('GET', '/v1/retention/runs/not-a-uuid')).status).toBe(404);
    const res = await t.request('POST', '/v1/retention/runs', { policy: 'no-such-policy' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('unknown_policy');
    expect((await t.request('POST', '/v1/retention/runs', { dryRun: 'yes' })).status).toBe(422);
  });
});

describe('retention: one run at a time', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No worker: a run stays queued, as if the first were still going.
    t = await startTestApp({ role: 'api' });
    await t.request('POST', '/v1/retention/policies', {
      key: 'contact',
      dataCategory: 'contact_data',
      trigger: 'last_activity',
      period: 'P2Y',
      action: 'anonymise',
      legalBasis: 'art. 6 ust. 1 lit. f RODO',
    });
  });
  afterAll(() => t.close());

  it('refuses a second run with 409 run_in_progress until the first ends or is cancelled', async () => {
    const first = await t.request('POST', '/v1/retention/runs', { dryRun: true });
    expect(first.status).toBe(202);
    const second = await t.request('POST', '/v1/retention/runs', {});
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'run_in_progress', runId: first.body.id });
    // The database refuses it too, whatever the code does.
    await expect(
      t.dataSource.query(
        `INSERT INTO retention_runs (id, status, dry_run, source, requested_by, as_of, policies)
         VALUES (gen_random_uuid(), 'queued', true, 'api', 'test', now(), '[]')`,
      ),
    ).rejects.toThrow(/ux_retention_runs_one_active/);

    const cancelled = await t.request('POST', `/v1/retention/runs/${first.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await t.request('POST', `/v1/retention/runs/${first.body.id}/cancel`)).status).toBe(409);
    expect((await t.request('POST', '/v1/retention/runs', {})).status).toBe(202);
  });

  it('refuses to enforce an inactive policy, but dry-runs it', async () => {
    const active = (await t.request('GET', '/v1/retention/runs')).body.items.find(
      (r: { status: string }) => r.status === 'queued',
    );
    expect((await t.request('POST', `/v1/retention/runs/${active.id}/cancel`)).status).toBe(200);
    await t.request('PATCH', '/v1/retention/policies/contact', { active: false });
    const real = await t.request('POST', '/v1/retention/runs', { policy: 'contact' });
    expect(real.status).toBe(422);
    const dry = await t.request('POST', '/v1/retention/runs', { policy: 'contact', dryRun: true });
    expect(dry.status).toBe(202);
    expect(dry.body.policies).toEqual([{ key: 'contact', version: 2 }]);
  });
});

describe('retention: the job scheduler', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('sweeps on its cron with nobody asking, judging by the service clock', async () => {
    const future = new Date(Date.now() + 3 * YEAR);
    t = await startTestApp({
      role: 'all',
      env: { RETENTION_SWEEP_CRON: '*/2 * * * * *', ZGODA_FAKE_NOW: future.toISOString() },
    });
    expect(t.get(Clock).now().getTime()).toBeGreaterThan(future.getTime() - 60_000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await t.request('POST', '/v1/subjects', { email: uniqueEmail('sched') })).body.id as string);
    }
    await t.request('POST', `/v1/subjects/${ids[2]}/holds`, { reason: 'Kontrola UODO', legalBasis: 'legal_claims' });
    await t.request('POST', '/v1/retention/policies', {
      key: 'contact',
      dataCategory: 'contact_data',
      trigger: 'last_activity',
      period: 'P2Y',
      action: 'anonymise',
      legalBasis: 'art. 6 ust. 1 lit. f RODO',
    });
    await eventually(async () => {
      const rows = (await t.dataSource.query(`SELECT id, status FROM subjects WHERE id = ANY($1::uuid[])`, [ids])) as {
        id: string;
        status: string;
      }[];
      const byId = new Map(rows.map((r) => [r.id, r.status]));
      return byId.get(ids[0]) === 'erased' && byId.get(ids[1]) === 'erased';
    }, 30_000);
    expect(
      ((await t.dataSource.query('SELECT status FROM subjects WHERE id = $1', [ids[2]])) as { status: string }[])[0]
        .status,
    ).toBe('active');
    const runs = (await t.request('GET', '/v1/retention/runs?limit=50')).body.items as { source: string }[];
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.source === 'schedule')).toBe(true);
  });
});
