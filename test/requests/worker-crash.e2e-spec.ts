import { ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logDir } from '../support/test-env';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, createSystem, WebhookReceiver } from './support';

const SECRET = 'crash-test-secret-0123456789abcdef';
const REQUESTS = 40;
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
    const child = spawn(process.execPath, [join(__dirname, '../../dist/src/worker.js')], {
      // Not the repository folder: its .env.local must not leak into this installation's settings.
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: t.env.DATABASE_URL,
        REDIS_URL: t.env.REDIS_URL,
        REDIS_PREFIX: t.env.REDIS_PREFIX,
        ENCRYPTION_KEY: t.env.ENCRYPTION_KEY,
        ADMIN_API_KEY: t.env.ADMIN_API_KEY,
        MIGRATIONS_RUN: 'false',
        OUTBOX_POLL_MS: '200',
        RECONCILE_INTERVAL_MS: '500',
        RECONCILE_GRACE_MS: '1000',
        WORKER_CONCURRENCY: '8',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        LOG_LEVEL: 'info',
        LOG_FILE: `${logDir()}/${process.pid}-crash-worker-${n}.log`,
      },
      stdio: ['ignore', 'ignore', 'ignore'],
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
    const subjects = await Promise.all(Array.from({ length: REQUESTS }, () => createSubject(t)));
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
    await eventually(async () => (await completed()) > before, 60_000, 50);
    second.kill('SIGKILL');
    await new Promise((r) => second.once('exit', r));
    startWorker(3);

    // Jobs that were active in a killed worker come back when BullMQ finds them stalled.
    await eventually(async () => (await completed()) === REQUESTS, 150_000, 250);

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
  }, 240_000);
});
