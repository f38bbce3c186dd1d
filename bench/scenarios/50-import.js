// Bulk import of consent history (issue 14 item 1): BENCH_IMPORT_EVENTS events (default 1,000,000) over a fifth as
// many subjects, as one NDJSON file uploaded through `PUT /v1/imports/{id}/file` and worked off by the built worker
// exactly as production does. Ceiling: the rows that import left in the consent and subject tables, COPY-ed from
// a server-side file into empty copies of the same tables (same columns, indexes and constraints): the least work
// that leaves the same rows behind. Figures: events/s end to end (upload to completed), and the worker's RSS peak.
const { createWriteStream, createReadStream, rmSync, mkdtempSync, chmodSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { once } = require('node:events');
const { Client } = require('pg');
const { call } = require('../lib/api');
const { startWorker } = require('../lib/measure');
const { rssMb } = require('../lib/seed-subjects');

const EVENTS = Number(process.env.BENCH_IMPORT_EVENTS || 1_000_000);
const SUBJECTS = Math.max(1, Math.floor(EVENTS / 5));
const PURPOSE = 'bench-import';
// The tables an import fills; the ceiling copies exactly their rows.
const TABLES = ['subjects', 'subject_keys', 'subject_identifiers', 'consent_events', 'consent_state'];
const DAY = 24 * 3600 * 1000;

/**
 * Subject s's k-th event is line k * SUBJECTS + s: every subject's history spread over the whole file, as an
 * export sorted by time gives it. Each subject grants on e-mail, withdraws, grants again; SMS granted twice.
 */
async function writeFile(path) {
  const out = createWriteStream(path);
  const start = Date.now() - 3 * 365 * DAY;
  const plan = [
    ['email', 'granted'],
    ['sms', 'granted'],
    ['email', 'withdrawn'],
    ['email', 'granted'],
    ['sms', 'withdrawn'],
  ];
  for (let k = 0; k < 5; k++) {
    for (let s = 0; s < SUBJECTS && k * SUBJECTS + s < EVENTS; s++) {
      const [channel, decision] = plan[k];
      const line = JSON.stringify({
        subject: { email: `bench-import-${s}@example.test` },
        channel,
        decision,
        occurredAt: new Date(start + k * 30 * DAY + s * 1000).toISOString(),
        externalEventId: `e${k}-${s}`,
      });
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
}

module.exports = {
  name: 'consent import',
  async run(ctx) {
    await call(ctx, 'POST', '/v1/purposes', {
      key: PURPOSE,
      name: 'Newsletter (imported)',
      channels: ['email', 'sms'],
      legalBasis: 'consent',
      dataCategories: ['contact'],
      subjectCategories: ['customers'],
      recipients: [],
      processors: [],
      transfers: [],
      marketing: true,
    });
    const dir = mkdtempSync(join(tmpdir(), 'zgoda-bench-import-'));
    // The database server writes and reads the ceiling's files itself (server-side COPY).
    chmodSync(dir, 0o777);
    const file = join(dir, 'events.ndjson');
    await writeFile(file);
    const worker = await startWorker(ctx);
    let rssPeak = rssMb(worker.pid);
    const c = new Client({ connectionString: ctx.databaseUrl });
    await c.connect();
    try {
      const started = Date.now();
      const imp = await call(ctx, 'POST', '/v1/imports', {
        format: 'ndjson',
        defaults: {
          purpose: PURPOSE,
          locale: 'pl',
          text: { locale: 'pl', title: 'Newsletter', body: 'Zgadzam się na newsletter (formularz papierowy).' },
          source: { method: 'store', location: 'salon-1' },
        },
      });
      const put = await fetch(`${ctx.serviceUrl}/v1/imports/${imp.id}/file`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ctx.adminKey}`, 'content-type': 'application/x-ndjson' },
        body: createReadStream(file),
        duplex: 'half',
      });
      if (put.status !== 202) throw new Error(`upload: ${put.status} ${await put.text()}`);
      let done;
      for (;;) {
        rssPeak = Math.max(rssPeak, rssMb(worker.pid));
        done = await call(ctx, 'GET', `/v1/imports/${imp.id}`);
        if (!['queued', 'running', 'awaiting_file'].includes(done.status)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const seconds = (Date.now() - started) / 1000;
      if (done.status !== 'completed' || done.rows.imported !== EVENTS) {
        throw new Error(`import ${done.status}: ${JSON.stringify(done.rows)}`);
      }

      // Ceiling: the same rows, COPY-ed into empty tables built LIKE the real ones.
      await c.query('DROP SCHEMA IF EXISTS bench_import_ceiling CASCADE; CREATE SCHEMA bench_import_ceiling');
      let rows = 0;
      for (const t of TABLES) {
        await c.query(`CREATE TABLE bench_import_ceiling.${t} (LIKE public.${t} INCLUDING ALL)`);
        const r = await c.query(`COPY public.${t} TO '${join(dir, `${t}.copy`)}'`);
        rows += r.rowCount;
      }
      const t0 = Date.now();
      await c.query('BEGIN');
      for (const t of TABLES) await c.query(`COPY bench_import_ceiling.${t} FROM '${join(dir, `${t}.copy`)}'`);
      await c.query('COMMIT');
      const ceilingSeconds = (Date.now() - t0) / 1000;
      const mb = (statSync(file).size / 1024 / 1024).toFixed(0);
      return [
        {
          name: `consent import: ${EVENTS} events over ${SUBJECTS} subjects (${mb} MB NDJSON) vs the same rows COPY-ed`,
          service: `${Math.round(EVENTS / seconds)} events/s (${seconds.toFixed(1)} s, upload to completed)`,
          ceiling: `${Math.round(EVENTS / ceilingSeconds)} events/s (${ceilingSeconds.toFixed(1)} s, ${rows} rows in ${TABLES.length} tables)`,
          ratio: `${((ceilingSeconds / seconds) * 100).toFixed(1)}%`,
          notes: `bar: within 4x (25%); the job itself ${((Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000).toFixed(1)} s (started ${((Date.parse(done.startedAt) - started) / 1000).toFixed(1)} s after the upload began); worker RSS peak ${rssPeak.toFixed(0)} MB (bar 300 MB)`,
        },
      ];
    } finally {
      await c
        .query('DROP SCHEMA IF EXISTS bench_import_ceiling CASCADE')
        .catch((e) => process.stderr.write(`bench: ceiling schema left: ${e.message}\n`));
      await c.end();
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
