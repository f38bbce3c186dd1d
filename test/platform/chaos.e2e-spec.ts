import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { checkedFetch } from '../support/contract';
import { PrivateRedis } from '../support/private-redis';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { spawnApi, spawnWorker } from '../support/worker-process';
import { grant, publishedPurpose } from '../consent/consent-fixtures';
import { createSubject, createSystem, WebhookReceiver } from '../requests/support';

const SECRET = 'chaos-test-secret-0123456789abcdef';
const ERASURES = 300;
const CREATIONS = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcome = { status: number; code?: string; id?: string; retries: number };

/**
 * Issue 25, fault suite: everything at once. 300 erasure requests across two webhook systems while the worker is
 * killed with kill -9 three times, this test's own Redis is restarted empty three times, every PostgreSQL connection
 * of the installation is terminated once (pg_terminate_backend: the machine's PostgreSQL itself is never restarted),
 * and the API process is killed twice during idempotent subject creations and grants by e-mail. Nothing may be lost,
 * done twice, or left half-written.
 */
describe('platform: chaos', () => {
  let t: TestApp;
  let redis: PrivateRedis;
  let smtp: SmtpCatcher;
  let shop: WebhookReceiver;
  let crm: WebhookReceiver;
  let purpose: string;
  const children: ChildProcess[] = [];

  const receiver = () =>
    WebhookReceiver.start(
      SECRET,
      () => ({ status: 200, body: { status: 'done' } }),
      () => t.baseUrl,
    );

  beforeAll(async () => {
    [shop, crm, smtp, redis] = await Promise.all([receiver(), receiver(), SmtpCatcher.start(), PrivateRedis.start()]);
    t = await startTestApp({
      role: 'api',
      env: { REDIS_URL: redis.url, SMTP_URL: smtp.url, WEBHOOK_ALLOW_PRIVATE_NETWORKS: true },
    });
    for (const [key, r] of [
      ['shop', shop],
      ['crm', crm],
    ] as const) {
      await createSystem(t, {
        key,
        name: key,
        kind: 'webhook',
        dataCategories: ['orders'],
        purposes: [],
        webhook: { url: r.url, secret: SECRET },
      });
    }
    purpose = await publishedPurpose(t, 'chaos');
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await t?.close().catch(() => undefined);
    await Promise.all([shop?.close(), crm?.close(), smtp?.close()]);
    redis?.stop();
  });

  const startWorker = (): ChildProcess => {
    const w = spawnWorker(t, `chaos-worker-${children.length}`, {
      SMTP_URL: smtp.url,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WORKER_CONCURRENCY: '8',
    });
    children.push(w);
    return w;
  };
  const kill = async (c: ChildProcess) => {
    c.kill('SIGKILL');
    if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
  };
  const q = async <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await t.dataSource.query(sql, params)) as T[];

  /**
   * Idempotent creations against an API process that the test kills: each operation is retried with its own key until
   * it gets an answer, whichever process is up by then (as a client with a retry policy would).
   */
  function apiWorkload() {
    let url = '';
    let current: ChildProcess | null = null;
    let answered = 0;
    const spawn = async (n: number) => {
      // An API refuses to start while Redis is down (one of the faults may be under way): started again, as a
      // supervisor would.
      let api: Awaited<ReturnType<typeof spawnApi>> | undefined;
      for (let attempt = 0; !api; attempt++) {
        api = await spawnApi(t, `chaos-api-${n}-${attempt}`, {
          ZGODA_ROLE: 'api',
          IDEMPOTENCY_LEASE_MS: '2000',
          WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        }).catch((e: Error) => {
          if (attempt >= 10) throw e;
          return undefined;
        });
        if (!api) await sleep(500);
      }
      children.push(api.child);
      current = api.child;
      url = api.url;
    };
    const send = async (path: string, body: unknown, key: string): Promise<Outcome> => {
      for (let retries = 0; ; retries++) {
        try {
          const res = await checkedFetch(`${url}${path}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${t.adminKey}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify(body),
          });
          const json = (await res.json()) as { id?: string; code?: string; event?: { id: string } };
          // Still held by a claim of a process that died (until its lease runs out), or by a running duplicate.
          if (res.status === 409 && json.code === 'idempotency_in_progress') continue;
          if (res.status === 503) {
            expect(res.headers.get('retry-after')).toBeTruthy();
            continue;
          }
          answered += 1;
          return { status: res.status, code: json.code, id: json.id, retries };
        } catch (error) {
          // An answer outside openapi.json (a 500 among them) fails the test; anything else means the process died
          // under the request (or is not up yet): the same key again, shortly.
          if ((error as Error).message.startsWith('contract')) throw error;
          await sleep(100);
        }
      }
    };
    const ops = Array.from({ length: CREATIONS }, (_, i) => i).flatMap((i) => {
      const suffix = randomBytes(4).toString('hex');
      return [
        { kind: 'subject' as const, email: `chaos.s${i}.${suffix}@example.com`, key: `chaos-s-${i}-${suffix}` },
        { kind: 'grant' as const, email: `chaos.g${i}.${suffix}@example.com`, key: `chaos-g-${i}-${suffix}` },
      ];
    });
    const run = async () => {
      await spawn(1);
      const results = new Map<string, Outcome>();
      let next = 0;
      const lane = async () => {
        while (next < ops.length) {
          const op = ops[next++];
          results.set(
            op.key,
            op.kind === 'subject'
              ? await send('/v1/subjects', { email: op.email }, op.key)
              : await send('/v1/consents', { purpose, subject: { email: op.email }, ...grant() }, op.key),
          );
        }
      };
      const killer = async () => {
        for (const [after, n] of [
          [ops.length / 4, 2],
          [ops.length / 2, 3],
        ] as const) {
          while (answered < after) await sleep(10);
          await kill(current!);
          await spawn(n);
        }
      };
      await Promise.all([lane(), lane(), lane(), lane(), killer()]);
      return { ops, results };
    };
    return run();
  }

  it('loses no request, repeats no side effect, leaves no subject without its event', async () => {
    const completed = async () =>
      (
        await q<{ n: number }>(
          `SELECT count(*)::int AS n FROM requests WHERE type = 'erasure' AND status = 'completed'`,
        )
      )[0].n;

    let worker = startWorker();
    const subjects: { id: string }[] = [];
    for (let i = 0; i < ERASURES; i += 20)
      subjects.push(...(await Promise.all(Array.from({ length: Math.min(20, ERASURES - i) }, () => createSubject(t)))));
    const requestIds: string[] = [];
    for (let i = 0; i < ERASURES; i += 10) {
      const created = await Promise.all(
        subjects
          .slice(i, i + 10)
          .map((s) => t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, verified: true })),
      );
      for (const r of created) {
        expect(r.status).toBe(201);
        requestIds.push(r.body.id);
      }
    }
    const workload = apiWorkload();

    // Three rounds of faults while the erasures are worked off, each at a further stage of the work.
    let lastFault = 0;
    for (const [round, after] of [
      [1, 30],
      [2, 110],
      [3, 190],
    ] as const) {
      await eventually(async () => ((await completed()) >= after ? true : undefined), 120_000, 100);
      await kill(worker);
      redis.down();
      if (round === 2) {
        // Every connection of the installation (the API in this test, the API processes, the worker's pool).
        await q(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [t.dbName],
        ).catch(() => undefined);
      }
      await sleep(300);
      redis.up();
      worker = startWorker();
      lastFault = Date.now();
    }
    const { ops, results } = await workload;

    // Every request complete within 60 s of the last fault.
    await eventually(async () => ((await completed()) === ERASURES ? true : undefined), 60_000, 250).catch(
      async (e: Error) => {
        // What was left, by state, so that a failure says where the work stopped.
        const state = {
          requests: await q(`SELECT status, count(*)::int FROM requests GROUP BY 1`),
          tasks: await q(`SELECT status, last_error, count(*)::int FROM request_tasks GROUP BY 1, 2`),
          outbox: await q(
            `SELECT name, completed_at IS NOT NULL AS done, dead_at IS NOT NULL AS dead, count(*)::int,
                    max(redrives) AS redrives
               FROM outbox GROUP BY 1, 2, 3`,
          ),
        };
        throw new Error(`${e.message}; left: ${JSON.stringify(state)}`);
      },
    );
    if (process.env.CHAOS_REPORT) {
      const answers = new Map<string, number>();
      for (const o of results.values()) {
        const k = `${o.status}${o.code ? ` ${o.code}` : ''}${o.retries ? ' after a retry' : ''}`;
        answers.set(k, (answers.get(k) ?? 0) + 1);
      }
      process.stdout.write(
        `chaos: all ${ERASURES} erasures complete ${Date.now() - lastFault} ms after the last fault; ` +
          `idempotent creations: ${JSON.stringify(Object.fromEntries(answers))}\n`,
      );
    }

    const rows = await q<{ resolution: string; certified: boolean; erasures: number; completions: number }>(
      `SELECT r.resolution, r.certificate IS NOT NULL AS certified,
              (SELECT count(*)::int FROM audit_log a WHERE a.action = 'subject.erased' AND a.subject_id = r.subject_id) AS erasures,
              (SELECT count(*)::int FROM audit_log a WHERE a.action = 'request.status_changed' AND a.target_id = r.id::text
                  AND a.data->>'to' = 'completed') AS completions
         FROM requests r WHERE r.id = ANY($1)`,
      [requestIds],
    );
    expect(rows).toHaveLength(ERASURES);
    for (const r of rows) expect(r).toEqual({ resolution: 'fulfilled', certified: true, erasures: 1, completions: 1 });

    // Each system was called with each task's own id as Idempotency-Key and no other key: one side effect per task.
    for (const [key, r] of [
      ['shop', shop],
      ['crm', crm],
    ] as const) {
      const tasks = await q<{ id: string; status: string }>(
        `SELECT id, status FROM request_tasks WHERE request_id = ANY($1) AND system_key = $2`,
        [requestIds, key],
      );
      expect(tasks).toHaveLength(ERASURES);
      expect(tasks.filter((x) => x.status !== 'done')).toEqual([]);
      const ids = tasks.map((x) => x.id).sort();
      expect([...r.seenKeys.keys()].sort()).toEqual(ids);
      expect([...r.effects.keys()].sort()).toEqual(ids);
      expect([...r.effects.values()].every((n) => n === 1)).toBe(true);
      for (const call of r.calls) expect(r.seenKeys.has(call.taskId)).toBe(true);
      expect(r.badSignatures).toBe(0);
    }

    // Every idempotent creation got its answer: the first one, or a replay of it, or (killed between its commit and
    // its answer) the word that it was carried out.
    const done = (o: Outcome) =>
      o.status === 201 || o.status === 200 || (o.status === 409 && o.code === 'idempotency_replay_unavailable');
    expect(ops.filter((op) => !done(results.get(op.key)!)).map((op) => results.get(op.key))).toEqual([]);
    // Some of them really were cut off by a kill and retried.
    expect(ops.some((op) => results.get(op.key)!.retries > 0)).toBe(true);
    // Each carried out once: one subject per address, one grant per grant.
    const known = new Set(subjects.map((s) => s.id));
    for (const op of ops) {
      const found = await t.request('GET', `/v1/subjects?email=${encodeURIComponent(op.email)}`);
      expect(found.body.items).toHaveLength(1);
      const id = found.body.items[0].id as string;
      known.add(id);
      const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM consent_events WHERE subject_id = $1`, [
        id,
      ]);
      expect(n).toBe(op.kind === 'grant' ? 1 : 0);
    }
    // No subject anywhere without the event that needed it.
    const orphans = await q<{ id: string }>(
      `SELECT s.id FROM subjects s
        WHERE NOT EXISTS (SELECT 1 FROM consent_events e WHERE e.subject_id = s.id) AND NOT (s.id = ANY($1::uuid[]))`,
      [[...known]],
    );
    expect(orphans).toEqual([]);
  }, 420_000);
});
