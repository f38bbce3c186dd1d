// End-to-end erasure throughput: BENCH_REQUESTS (default 300) verified erasure requests, each fulfilled by
// the built worker (one process, WORKER_CONCURRENCY) across Zgoda's own store and two webhook systems whose
// receivers run on 127.0.0.1 and answer at once (200 done). Figure: requests completed per second (and per
// minute) from the first POST to the last completion. Ceiling: the same subjects' work done in one loop
// without queues or the outbox, at the worker's concurrency: the two webhook calls, then one transaction
// with the crypto-shred (identifiers and key deleted, subject marked erased). It skips the request rows,
// tasks, audit chain, certificate signing and notices, so it bounds the service from above.
const { createServer } = require('node:http');
const { Client } = require('pg');
const { startWorker } = require('../lib/measure');

const COUNT = Number(process.env.BENCH_REQUESTS || 300);
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY || 10);

async function api(ctx, method, path, body) {
  const res = await fetch(`${ctx.serviceUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function receiver() {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"done"}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}/zgoda`, calls: () => calls }),
    ),
  );
}

async function inParallel(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function subjects(ctx, tag) {
  const ids = [];
  await inParallel([...Array(COUNT).keys()], 20, async (i) => {
    const s = await api(ctx, 'POST', '/v1/subjects', { email: `bench-${tag}-${i}@example.com`, firstName: 'Jan' });
    ids.push(s.id);
  });
  return ids;
}

module.exports = {
  name: 'requests erasure',
  async run(ctx) {
    const [shop, crm] = await Promise.all([receiver(), receiver()]);
    const db = new Client({ connectionString: ctx.databaseUrl });
    await db.connect();
    const worker = await startWorker(ctx, {
      WORKER_CONCURRENCY: String(CONCURRENCY),
      OUTBOX_POLL_MS: '100',
      // The receivers run on this machine.
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    try {
      for (const [key, r] of [
        ['bench-shop', shop],
        ['bench-crm', crm],
      ]) {
        await api(ctx, 'POST', '/v1/systems', {
          key,
          name: key,
          kind: 'webhook',
          dataCategories: [`${key}-data`],
          purposes: [],
          // Production accepts https only; the receivers here are plain http on 127.0.0.1.
          webhook: { url: r.url.replace('http://', 'https://'), secret: 'a-long-enough-bench-secret' },
        });
        await db.query('UPDATE systems SET webhook_url = $1 WHERE key = $2', [r.url, key]);
      }
      // The worker's cache of webhook settings refreshes every 10 s.
      await new Promise((r) => setTimeout(r, 11_000));
      const a = await subjects(ctx, 'a');
      const t0 = Date.now();
      await inParallel(a, 20, (subjectId) =>
        api(ctx, 'POST', '/v1/requests', { type: 'erasure', subjectId, verified: true }),
      );
      const submitted = (Date.now() - t0) / 1000;
      let done = 0;
      const deadline = Date.now() + 30 * 60_000;
      for (;;) {
        const { rows } = await db.query(
          `SELECT count(*) FILTER (WHERE status = 'completed')::int AS done,
                  count(*) FILTER (WHERE status = 'failed')::int AS failed
             FROM requests WHERE type = 'erasure'`,
        );
        done = rows[0].done;
        if (rows[0].failed) throw new Error(`${rows[0].failed} erasure requests failed`);
        if (done >= COUNT) break;
        if (Date.now() > deadline) throw new Error(`only ${done}/${COUNT} completed`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const serviceSeconds = (Date.now() - t0) / 1000;
      const calls = shop.calls() + crm.calls();

      // Ceiling: fresh subjects, the same calls and the same shredding, in a loop without queues.
      const b = await subjects(ctx, 'b');
      const pool = await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          const c = new Client({ connectionString: ctx.databaseUrl });
          await c.connect();
          return c;
        }),
      );
      const free = [...pool];
      const c0 = Date.now();
      await inParallel(b, CONCURRENCY, async (subjectId) => {
        for (const r of [shop, crm]) {
          const res = await fetch(r.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ action: 'erasure', subject: { id: subjectId } }),
          });
          await res.text();
        }
        const c = free.pop();
        try {
          await c.query('BEGIN');
          await c.query('SELECT id FROM subjects WHERE id = $1 FOR UPDATE', [subjectId]);
          await c.query('DELETE FROM subject_identifiers WHERE subject_id = $1', [subjectId]);
          await c.query('DELETE FROM subject_keys WHERE subject_id = $1', [subjectId]);
          await c.query(
            `UPDATE subjects SET status = 'erased', erased_at = now(), updated_at = now(), first_name_enc = NULL,
                    last_name_enc = NULL, birth_date_enc = NULL, locale_enc = NULL WHERE id = $1`,
            [subjectId],
          );
          await c.query('COMMIT');
        } finally {
          free.push(c);
        }
      });
      const ceilingSeconds = (Date.now() - c0) / 1000;
      await Promise.all(pool.map((c) => c.end()));
      const perSecond = COUNT / serviceSeconds;
      const ceilingPerSecond = COUNT / ceilingSeconds;
      return [
        {
          name: `erasure requests end to end: ${COUNT} requests, 1 worker (concurrency ${CONCURRENCY}), zgoda + 2 webhook systems answering at once`,
          service: `${perSecond.toFixed(1)} completed/s = ${Math.round(perSecond * 60)}/min (${serviceSeconds.toFixed(1)} s; intake ${submitted.toFixed(1)} s; ${calls} webhook calls)`,
          ceiling: `${ceilingPerSecond.toFixed(1)}/s = ${Math.round(ceilingPerSecond * 60)}/min (${ceilingSeconds.toFixed(1)} s)`,
          ratio: `${((perSecond / ceilingPerSecond) * 100).toFixed(0)}%`,
          notes:
            'ceiling: 2 webhook calls + the crypto-shred transaction per subject in a loop, no request rows, tasks, outbox, audit, certificate or notices',
        },
      ];
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
      await db.end();
      shop.server.close();
      crm.server.close();
    }
  },
};
