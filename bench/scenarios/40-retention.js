// The retention sweep at scale: 200,000 subjects (BENCH_RETENTION_SUBJECTS), a quarter of them due for
// erasure, swept by the built worker exactly as production does (keyset batches, each batch's erasures
// done together by SubjectBatchErasure: suppression hashes, erasure hooks, run log, hash-chained audit). Ceiling: the same erasure of a second, identical
// population by one set-based SQL statement (identifiers and keys deleted, subjects marked erased), which
// does none of the crypto, logging or auditing. Figures: due subjects erased per second, and the worker's
// RSS before, at its peak and after.
const { Client } = require('pg');
const { startWorker } = require('../lib/measure');
const { seedSubjects, rssMb } = require('../lib/seed-subjects');

const TOTAL = Number(process.env.BENCH_RETENTION_SUBJECTS || 200_000);
const DUE = Math.floor(TOTAL / 4);
const YEAR = 365.25 * 24 * 3600 * 1000;

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

const seed = (ctx, tag) =>
  seedSubjects({
    databaseUrl: ctx.databaseUrl,
    encryptionKey: ctx.env.ENCRYPTION_KEY,
    total: TOTAL,
    due: DUE,
    dueAgoMs: 3 * YEAR,
    freshAgoMs: 0.5 * YEAR,
    tag,
  });

module.exports = {
  name: 'retention sweep',
  async run(ctx) {
    await api(ctx, 'POST', '/v1/retention/policies', {
      key: 'bench-contact',
      dataCategory: 'contact_data',
      trigger: 'last_activity',
      period: 'P2Y',
      action: 'erase',
      legalBasis: 'art. 6 ust. 1 lit. f RODO',
    });
    await seed(ctx, 'bench-a');
    const worker = await startWorker(ctx);
    let rssPeak = rssMb(worker.pid);
    /** Starts a run and waits for it, sampling the worker's memory; returns the run and its wall time. */
    async function sweep(body) {
      const started = Date.now();
      const { id } = await api(ctx, 'POST', '/v1/retention/runs', body);
      for (;;) {
        rssPeak = Math.max(rssPeak, rssMb(worker.pid));
        const run = await api(ctx, 'GET', `/v1/retention/runs/${id}`);
        if (run.status === 'completed') return { run, seconds: (Date.now() - started) / 1000 };
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const dueSql = `SELECT count(*)::int AS n FROM subjects
                     WHERE status <> 'erased' AND merged_into IS NULL AND last_activity_at < now() - interval '2 years'`;
    try {
      const rssIdle = rssMb(worker.pid);
      // Judging only: every subject read and evaluated, nothing changed; ceiling: one COUNT of the same rows.
      const dry = await sweep({ dryRun: true });
      if (dry.run.matched !== DUE) throw new Error(`the dry run matched ${dry.run.matched}/${DUE}`);
      const c0 = new Client({ connectionString: ctx.databaseUrl });
      await c0.connect();
      const t0 = Date.now();
      await c0.query(dueSql);
      const countSeconds = (Date.now() - t0) / 1000;
      await c0.end();
      const rssAfterDry = rssMb(worker.pid);

      const { run, seconds: serviceSeconds } = await sweep({});
      const rssEnd = rssMb(worker.pid);
      // Other scenarios of the same run may have left their (fresh, not due) subjects in the database.
      if (run.processed !== DUE || run.scanned < TOTAL) {
        throw new Error(`the sweep processed ${run.processed}/${DUE}, scanned ${run.scanned}/${TOTAL}`);
      }

      await seed(ctx, 'bench-b');
      const c = new Client({ connectionString: ctx.databaseUrl });
      await c.connect();
      let ceilingSeconds;
      let ceilingErased;
      try {
        const t0 = Date.now();
        const { rows } = await c.query(`
          WITH due AS (
            SELECT id FROM subjects
             WHERE status <> 'erased' AND merged_into IS NULL AND last_activity_at < now() - interval '2 years'),
          di AS (DELETE FROM subject_identifiers WHERE subject_id IN (SELECT id FROM due)),
          dk AS (DELETE FROM subject_keys WHERE subject_id IN (SELECT id FROM due)),
          u AS (
            UPDATE subjects s SET status = 'erased', erased_at = now(), updated_at = now(), first_name_enc = NULL,
                   last_name_enc = NULL, birth_date_enc = NULL, locale_enc = NULL, minor_until = NULL,
                   restriction_reason = NULL, restricted_at = NULL
              FROM due WHERE s.id = due.id RETURNING s.id)
          SELECT count(*)::int AS n FROM u`);
        ceilingSeconds = (Date.now() - t0) / 1000;
        ceilingErased = rows[0].n;
      } finally {
        await c.end();
      }
      const servicePerSecond = DUE / serviceSeconds;
      const ceilingPerSecond = ceilingErased / ceilingSeconds;
      return [
        {
          name: `retention dry run: ${TOTAL} subjects judged vs one COUNT of the due rows`,
          service: `${Math.round(TOTAL / dry.seconds)} subjects judged/s (${dry.seconds.toFixed(1)} s, ${dry.run.batches} batches, ${DUE} listed)`,
          ceiling: `${Math.round(TOTAL / countSeconds)} rows/s (${countSeconds.toFixed(2)} s)`,
          ratio: `${((countSeconds / dry.seconds) * 100).toFixed(1)}%`,
          notes: `worker RSS ${rssIdle.toFixed(0)} MB idle, ${rssAfterDry.toFixed(0)} MB after; the dry run also writes one item per due subject`,
        },
        {
          name: `retention sweep: ${TOTAL} subjects, ${DUE} due, erased by the worker vs one set-based SQL statement`,
          service: `${Math.round(servicePerSecond)} erased/s (${Math.round(TOTAL / serviceSeconds)} scanned/s, ${serviceSeconds.toFixed(1)} s, ${run.batches} batches)`,
          ceiling: `${Math.round(ceilingPerSecond)} erased/s (${ceilingSeconds.toFixed(1)} s)`,
          ratio: `${((servicePerSecond / ceilingPerSecond) * 100).toFixed(1)}%`,
          notes: `worker RSS peak ${rssPeak.toFixed(0)} MB over both runs, ${rssEnd.toFixed(0)} MB after; the worker also decrypts each identifier for its suppression hash, runs the erasure hooks, records an item per subject and appends an audit entry per erasure and per batch`,
        },
      ];
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  },
};
