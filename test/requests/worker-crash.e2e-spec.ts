import { ChildProcess } from 'node:child_process';
import { QueueRegistry } from '../../src/jobs/queue-registry.service';
import { PrivateRedis } from '../support/private-redis';
import { spawnWorker } from '../support/worker-process';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, createSystem, WebhookReceiver } from './support';

const SECRET = 'crash-test-secret-0123456789abcdef';
// Issue 5: 200 erasures in flight when the worker is killed.
const REQUESTS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * At-least-once under fire: the API runs in the test, the worker in a separate process built like
 * production (`node dist/src/worker.js`), killed with SIGKILL while erasures are in flight. Every request
 * must still complete, and every side effect must happen once per task.
 */
describe('requests: a worker killed mid-erasure', () => {
  let t: TestApp;
  let shop: WebhookReceiver;
  const workers: ChildProcess[] = [];

  const startWorker = (n: number): ChildProcess => {
    const child = spawnWorker(t, `crash-worker-${n}`, {
      WORKER_CONCURRENCY: '8',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    workers.push(child);
    return child;
  };

  beforeAll(async () => {
    shop = await WebhookReceiver.start(
      SECRET,
      () => ({ status: 200, body: { status: 'done' } }),
      () => t.baseUrl,
    );
    // The receiver runs on 127.0.0.1.
    t = await startTestApp({ role: 'api', env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: true } });
    await createSystem(t, {
      key: 'shop',
      name: 'Shop',
      kind: 'webhook',
      dataCategories: ['orders'],
      purposes: [],
      webhook: { url: shop.url, secret: SECRET },
    });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await t?.close();
    await shop?.close();
  });

  it('completes every erasure, each side effect once per task', async () => {
    const first = startWorker(1);
    const subjects: { id: string; email: string }[] = [];
    // In batches: 200 parallel creations would only measure the connection pool.
    for (let i = 0; i < REQUESTS; i += 20) {
      subjects.push(...(await Promise.all(Array.from({ length: Math.min(20, REQUESTS - i) }, () => createSubject(t)))));
    }
    const ids: string[] = [];
    for (const s of subjects) {
      const r = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, verified: true });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const completed = async () =>
      (
        (await t.dataSource.query(
          `SELECT count(*)::int AS n FROM requests WHERE id = ANY($1) AND status = 'completed'`,
          [ids],
        )) as {
          n: number;
        }[]
      )[0].n;
    // Kill while work is in flight: some requests done, others not yet.
    await eventually(async () => (await completed()) >= 3 || shop.calls.length >= 5, 60_000, 20);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const before = await completed();
    expect(before).toBeLessThan(REQUESTS);
    await sleep(300);
    const second = startWorker(2);
    // Work the killed worker held comes back only after its locks lapse and a stall check runs (BullMQ's
    // defaults, 30 s each); on a loaded machine the new worker's start adds to that.
    await eventually(async () => (await completed()) > before, 150_000, 50);
    second.kill('SIGKILL');
    await new Promise((r) => second.once('exit', r));
    startWorker(3);

    // Jobs that were active in a killed worker come back when BullMQ finds them stalled.
    await eventually(async () => (await completed()) === REQUESTS, 300_000, 250);

    const rows = (await t.dataSource.query(
      `SELECT r.id, r.resolution, r.certificate IS NOT NULL AS certified,
              (SELECT count(*)::int FROM audit_log a WHERE a.action = 'subject.erased' AND a.subject_id = r.subject_id) AS erasures,
              (SELECT count(*)::int FROM audit_log a WHERE a.action = 'request.status_changed' AND a.target_id = r.id::text
                  AND a.data->>'to' = 'completed') AS completions
         FROM requests r WHERE r.id = ANY($1)`,
      [ids],
    )) as { resolution: string; certified: boolean; erasures: number; completions: number }[];
    expect(rows).toHaveLength(REQUESTS);
    for (const r of rows) {
      expect(r).toMatchObject({ resolution: 'fulfilled', certified: true, erasures: 1, completions: 1 });
    }
    // One completion e-mail per request, however often the finaliser ran.
    const [mails] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outgoing_emails WHERE template = 'request-completed'`,
    )) as { n: number }[];
    expect(mails.n).toBe(REQUESTS);

    // The webhook: every call carried its task id as Idempotency-Key, one key per task, so the
    // receiver performed each erasure once even when a crash made Zgoda call again.
    const tasks = (await t.dataSource.query(
      `SELECT id, status FROM request_tasks WHERE request_id = ANY($1) AND system_key = 'shop'`,
      [ids],
    )) as { id: string; status: string }[];
    expect(tasks).toHaveLength(REQUESTS);
    expect(tasks.every((x) => x.status === 'done')).toBe(true);
    expect([...shop.effects.keys()].sort()).toEqual(tasks.map((x) => x.id).sort());
    expect([...shop.effects.values()].every((n) => n === 1)).toBe(true);
    for (const call of shop.calls) expect(shop.seenKeys.has(call.taskId)).toBe(true);
    expect(shop.badSignatures).toBe(0);
    // Nothing stays stuck: no task left running or pending, no request outside `completed`.
    const stuck = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM request_tasks WHERE request_id = ANY($1) AND status NOT IN ('done', 'retained')`,
      [ids],
    )) as { n: number }[];
    expect(stuck[0].n).toBe(0);
  }, 420_000);
});

/**
 * Redis restarted without persistence while erasures are in flight: every queued and active job is lost.
 * The outbox rows in PostgreSQL are the truth; the reconciler hands what never completed to the queues
 * again, and the idempotent handlers repeat no side effect.
 */
describe('requests: Redis restarted mid-run', () => {
  const COUNT = 40;
  let t: TestApp;
  let redis: PrivateRedis;
  let shop: WebhookReceiver;

  beforeAll(async () => {
    shop = await WebhookReceiver.start(
      SECRET,
      () => ({ status: 200, body: { status: 'done' } }),
      () => t.baseUrl,
    );
    redis = await PrivateRedis.start();
    t = await startTestApp({
      role: 'all',
      env: {
        REDIS_URL: redis.url,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: true,
        OUTBOX_POLL_MS: 200,
        RECONCILE_INTERVAL_MS: 500,
        RECONCILE_GRACE_MS: 1000,
      },
    });
    // Producer queues have no 'error' listener: BullMQ would print every refused reconnect while Redis is down.
    for (const queue of t.get(QueueRegistry).all()) queue.on('error', () => undefined);
    await createSystem(t, {
      key: 'shop',
      name: 'Shop',
      kind: 'webhook',
      dataCategories: ['orders'],
      purposes: [],
      webhook: { url: shop.url, secret: SECRET },
    });
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await shop?.close();
    redis?.stop();
  });

  it('completes every erasure after Redis comes back, each side effect once per task', async () => {
    const subjects = await Promise.all(Array.from({ length: COUNT }, () => createSubject(t)));
    const ids: string[] = [];
    for (const s of subjects) {
      const r = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, verified: true });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const completed = async () =>
      (
        (await t.dataSource.query(
          `SELECT count(*)::int AS n FROM requests WHERE id = ANY($1) AND status = 'completed'`,
          [ids],
        )) as { n: number }[]
      )[0].n;
    await eventually(async () => shop.calls.length >= 3, 60_000, 20);
    redis.down();
    const during = await completed();
    expect(during).toBeLessThan(COUNT);
    // Requests keep coming in while Redis is away: the API commits them, the outbox holds the jobs.
    const late = await createSubject(t);
    const lateRequest = await t.request('POST', '/v1/requests', {
      type: 'erasure',
      subjectId: late.id,
      verified: true,
    });
    expect(lateRequest.status).toBe(201);
    ids.push(lateRequest.body.id);
    await sleep(1500);
    redis.up();

    await eventually(async () => (await completed()) === COUNT + 1, 180_000, 250);
    const rows = (await t.dataSource.query(
      `SELECT r.resolution, r.certificate IS NOT NULL AS certified,
              (SELECT count(*)::int FROM audit_log a WHERE a.action = 'subject.erased' AND a.subject_id = r.subject_id) AS erasures
         FROM requests r WHERE r.id = ANY($1)`,
      [ids],
    )) as { resolution: string; certified: boolean; erasures: number }[];
    for (const r of rows) expect(r).toMatchObject({ resolution: 'fulfilled', certified: true, erasures: 1 });
    const tasks = (await t.dataSource.query(
      `SELECT id FROM request_tasks WHERE request_id = ANY($1) AND system_key = 'shop' AND status = 'done'`,
      [ids],
    )) as { id: string }[];
    expect(tasks).toHaveLength(COUNT + 1);
    expect([...shop.effects.keys()].sort()).toEqual(tasks.map((x) => x.id).sort());
    expect([...shop.effects.values()].every((n) => n === 1)).toBe(true);
    expect(shop.badSignatures).toBe(0);
  }, 300_000);
});
