/* eslint-disable */
// The consent decision at scale (issue 4): BENCH_EVENTS consent events (default 1,000,000) over
// BENCH_SUBJECTS subjects (default 200,000), seeded set-based as the service stores them
// (bench/lib/seed-consent.js). Three measurements, each next to its ceiling in the same run:
// - single check over HTTP at 50 connections, a random subject per request, against the least work that answers it
//  : a bare Fastify route reading the one indexed consent_state row as a named statement, no auth;
// - batch check of 10,000 e-mails against one `= ANY` lookup of their consent_state rows through the identifiers'
//   blind index (the indexes computed in this process, so the ceiling is SQL alone);
// - the audience stream against the same query read through a cursor straight into a file, with the
//   service's RSS before, at its peak and after. With a consent:read key (ids only) and, as a second row,
//   with an admin key (e-mails decrypted), whose ceiling also unwraps and decrypts in this process.
// Callers use a consent:read API key, as a mailing tool would.
const { createWriteStream } = require('node:fs');
const { once } = require('node:events');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { Client, Pool } = require('pg');
const { call, purpose } = require('../lib/api');
const { seedConsent } = require('../lib/seed-consent');
const { loadVaried, runCli, timeRuns, fmtHttp, fmtRuns, ms, sample, pick } = require('../lib/measure');

const dist = join(process.env.ZGODA_DIST || join(__dirname, '../../dist'), 'src');
const { CryptoService } = require(join(dist, 'common/crypto/crypto.service'));
const { decryptField, fieldAad } = require(join(dist, 'common/crypto/envelope'));
const { identifierColumn } = require(join(dist, 'subjects/subject-cipher'));

const SUBJECTS = Number(process.env.BENCH_SUBJECTS || 200_000);
const EVENTS = Number(process.env.BENCH_EVENTS || 1_000_000);
const BATCH = Math.min(10_000, SUBJECTS);
const MAIN = 'bench-newsletter';
const OTHER = 'bench-sms-offers';
const OUT = process.env.BENCH_TMP || tmpdir();
// BENCH_CONSENT_PARTS=single,record,batch,batch-ids,audience (the default): a subset when profiling one of them.
const PARTS = new Set((process.env.BENCH_CONSENT_PARTS || 'single,record,batch,batch-ids,audience').split(','));

// The audience: AUDIENCE_PAGE_SQL without the keyset, with the subject facts the service applies per page
// (erased, restricted, objection, minors) as SQL, so the ceiling filters exactly what the service does.
const AUDIENCE_SQL = (withContacts) => `
  SELECT c.subject_id${withContacts ? ', i.id AS identifier_id, i.value_enc, k.wrapped_key, k.key_version' : ''}
    FROM consent_state c JOIN subjects s ON s.id = c.subject_id
    ${
      withContacts
        ? `JOIN subject_keys k ON k.subject_id = c.subject_id
    LEFT JOIN subject_identifiers i ON i.subject_id = c.subject_id AND i.kind = 'email' AND i.is_primary`
        : ''
    }
   WHERE c.purpose_key = $1 AND c.channel = $2 AND c.status = 'granted' AND NOT c.pending
     AND (c.expires_at IS NULL OR c.expires_at > now())
     AND s.status = 'active' AND s.merged_into IS NULL AND s.objected_direct_marketing_at IS NULL
     AND (s.minor_until IS NULL OR s.minor_until <= now()::date)
   ORDER BY c.subject_id`;

/** Streams `body` (a web ReadableStream or a Node Readable) to a file; bytes and NDJSON lines written. */
async function toFile(body, file) {
  let lines = 0;
  let bytes = 0;
  const source = body instanceof Readable ? body : Readable.fromWeb(body);
  await pipeline(
    source,
    async function* (chunks) {
      for await (const c of chunks) {
        bytes += c.length;
        for (let i = 0; i < c.length; i++) if (c[i] === 10) lines += 1;
        yield c;
      }
    },
    createWriteStream(file),
  );
  return { lines, bytes };
}

/** The ceiling of the audience: a server-side cursor, 1,000 rows a fetch, NDJSON lines into a file. */
async function cursorToFile(ctx, withContacts, file, crypto) {
  const client = new Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  const out = createWriteStream(file);
  let lines = 0;
  try {
    await client.query('BEGIN');
    await client.query({
      text: `DECLARE audience NO SCROLL CURSOR FOR ${AUDIENCE_SQL(withContacts)}`,
      values: [MAIN, 'email'],
    });
    for (;;) {
      const { rows } = await client.query('FETCH 1000 FROM audience');
      if (!rows.length) break;
      let text = '';
      for (const r of rows) {
        const line = { subjectId: r.subject_id };
        if (withContacts && r.value_enc) {
          const dek = crypto.unwrap(r.wrapped_key, r.key_version, r.subject_id);
          line.email = decryptField(dek, r.value_enc, fieldAad(r.subject_id, identifierColumn(r.identifier_id)));
        }
        text += `${JSON.stringify(line)}\n`;
      }
      lines += rows.length;
      if (!out.write(text)) await once(out, 'drain');
    }
    await client.query('COMMIT');
  } finally {
    out.end();
    await once(out, 'close');
    await client.end();
  }
  return { lines };
}

/** `fn` with the decision rows (and the mark that they are complete) set aside, then put back. */
async function withoutDecisionRows(ctx, fn) {
  const owner = new Client({ connectionString: ctx.databaseUrl });
  await owner.connect();
  try {
    await owner.query(`BEGIN;
      CREATE TABLE bench_decision_rows_aside AS SELECT * FROM decision_rows;
      DELETE FROM decision_rows;
      DELETE FROM decision_rows_built;
      COMMIT`);
    try {
      return await fn();
    } finally {
      await owner.query(`BEGIN;
        INSERT INTO decision_rows SELECT * FROM bench_decision_rows_aside;
        INSERT INTO decision_rows_built DEFAULT VALUES;
        DROP TABLE bench_decision_rows_aside;
        COMMIT`);
    }
  } finally {
    await owner.end();
  }
}

/** Times the batch check over the samples (one per run), each answer checked to allow every entry. */
function timeBatch(ctx, key, field, samples, what) {
  return timeRuns(async (i) => {
    const body = { purpose: MAIN, channel: 'email', [field]: samples[i] };
    const res = await call(ctx, 'POST', '/v1/consents/check', body, key);
    if (res.results.length !== samples[i].length || !res.results.every((r) => r.allowed))
      throw new Error(`${what}: unexpected answers`);
  });
}

/** Times one named statement per run on a pool of the bench's own, each answer at least a batch's rows. */
async function timeStatement(ctx, name, text, valuesOf) {
  const pool = new Pool({ connectionString: ctx.databaseUrl, max: 4 });
  try {
    return await timeRuns(async (i) => {
      const { rows: found } = await pool.query({ name, text, values: valuesOf(i) });
      if (found.length < BATCH) throw new Error(`${name}: ${found.length} rows`);
    });
  } finally {
    await pool.end();
  }
}

module.exports = {
  name: 'consent decision, batch and audience',
  async setup(ctx) {
    await purpose(ctx, MAIN, 'Newsletter', ['email', 'sms']);
    await purpose(ctx, OTHER, 'Promocje SMS', ['sms']);
    const { key: consentKey } = await call(ctx, 'POST', '/v1/api-keys', {
      name: 'bench-mailing-tool',
      scopes: ['consent:read'],
    });
    process.stderr.write(`bench: seeding ${SUBJECTS} subjects, ${EVENTS} consent events ...\n`);
    const seeded = await seedConsent({
      databaseUrl: ctx.databaseUrl,
      encryptionKey: ctx.env.ENCRYPTION_KEY,
      subjects: SUBJECTS,
      events: EVENTS,
      main: MAIN,
      other: OTHER,
      tag: 'bench-consent',
    });
    process.stderr.write(`bench: seeded ${seeded.events} events in ${seeded.seconds.toFixed(1)} s\n`);
    // The seed writes states set-based, as an upgrade finds them: the kept decision rows are built as an upgrade
    // builds them (issue 16 item 1).
    const rebuilt = await runCli(ctx, 'rebuild-decisions');
    process.stderr.write(`bench: decision rows rebuilt in ${rebuilt.seconds.toFixed(1)} s: ${rebuilt.stdout}`);
    return { consentKey, seeded, rebuilt };
  },
  ceilingRoutes: () => [
    {
      path: '/ceiling',
      name: 'consent_state_row',
      sql: 'SELECT status, expires_at FROM consent_state WHERE subject_id = $1 AND purpose_key = $2 AND channel = $3',
      params: ['$query', MAIN, 'email'],
    },
  ],
  async run(ctx) {
    const { seeded, consentKey } = ctx;
    const rows = [];
    const scale = `${seeded.events.toLocaleString('en')} events, ${SUBJECTS.toLocaleString('en')} subjects, seeded in ${seeded.seconds.toFixed(0)} s`;

    // Sanity: the seeded projection answers yes for a seeded subject, by id and by e-mail.
    const probe = await call(
      ctx,
      'GET',
      `/v1/consents/check?purpose=${MAIN}&channel=email&subjectId=${seeded.ids[0]}`,
      undefined,
      consentKey,
    );
    if (!probe.allowed) throw new Error(`seeded subject not allowed: ${JSON.stringify(probe)}`);

    // 1. Single check, a different random subject per request.
    if (PARTS.has('single')) {
      const auth = { authorization: `Bearer ${consentKey}` };
      const s = await loadVaried(ctx, ctx.serviceUrl, () => ({
        path: `/v1/consents/check?purpose=${MAIN}&channel=email&subjectId=${pick(seeded.ids)}`,
        headers: auth,
      }));
      const c = await loadVaried(ctx, ctx.ceilingUrl, () => ({ path: `/ceiling?v=${pick(seeded.ids)}` }));
      const ratio = s.requests.average / c.requests.average;
      const p99 = s.latency.p99 / c.latency.p99;
      rows.push({
        name: 'single check GET /v1/consents/check (random subject of all) vs bare Fastify + one consent_state row',
        service: fmtHttp(s),
        ceiling: fmtHttp(c),
        ratio: `${(ratio * 100).toFixed(0)}%`,
        notes: `bar ≥75% req/s and p99 ≤ 1.5× the ceiling's: ${ratio >= 0.75 && p99 <= 1.5 ? 'met' : `MISSED (p99 ${p99.toFixed(1)}×)`}; ${scale}`,
      });
    }

    // 1b. Issue 14 item 3: the same single check kept in the decision log (record=true) against the same check
    // not kept, both through the service in this run: the bar is what recording costs, at least 70% kept.
    if (PARTS.has('record')) {
      const auth = { authorization: `Bearer ${consentKey}` };
      const check = (record) => () => ({
        path: `/v1/consents/check?purpose=${MAIN}&channel=email&subjectId=${pick(seeded.ids)}${record ? '&record=true' : ''}`,
        headers: auth,
      });
      const recorded = await loadVaried(ctx, ctx.serviceUrl, check(true));
      const plain = await loadVaried(ctx, ctx.serviceUrl, check(false));
      const db = new Client({ connectionString: ctx.databaseUrl });
      await db.connect();
      const kept = (await db.query('SELECT count(*)::int AS n FROM consent_decisions')).rows[0].n;
      await db.end();
      if (kept < recorded.requests.total)
        throw new Error(`decision log: ${kept} kept, ${recorded.requests.total} answered`);
      const ratio = recorded.requests.average / plain.requests.average;
      rows.push({
        name: 'single check with record=true (decision log, group commit) vs the same check unrecorded',
        service: fmtHttp(recorded),
        ceiling: fmtHttp(plain),
        ratio: `${(ratio * 100).toFixed(0)}%`,
        notes: `target ≥70%: ${ratio >= 0.7 ? 'met' : 'MISSED'}; ${kept} decisions kept`,
      });
    }

    // 2. Batch of 10,000 e-mails, a fresh random sample each run, against one `= ANY` lookup of their states after
    // blind indexing (the indexes computed here, outside the timing).
    const crypto = new CryptoService({ ENCRYPTION_KEY: ctx.env.ENCRYPTION_KEY, ENCRYPTION_KEY_VERSION: 1 });
    if (PARTS.has('batch')) {
      const samples = Array.from({ length: 17 }, () => sample(seeded.emails, BATCH));
      const batch = await timeBatch(ctx, consentKey, 'emails', samples, 'batch');
      // The least work that answers: the e-mails blind-indexed here, then one `= ANY` lookup of their
      // consent_state rows through the identifiers' index.
      const indexes = samples.map((emails) => emails.map((e) => crypto.blindIndex('email', e)));
      const ceilingBatch = await timeStatement(
        ctx,
        'batch_state_rows',
        `SELECT i.subject_id, s.status, s.expires_at FROM subject_identifiers i
           JOIN consent_state s ON s.subject_id = i.subject_id AND s.purpose_key = $2 AND s.channel = 'email'
          WHERE i.kind = 'email' AND i.blind_index = ANY($1::bytea[])`,
        (i) => [indexes[i], MAIN],
      );
      const batchRatio = batch.p50 / ceilingBatch.p50;
      rows.push({
        name: `batch check POST /v1/consents/check, ${BATCH.toLocaleString('en')} e-mails vs one = ANY lookup of their consent_state rows`,
        service: fmtRuns(batch),
        ceiling: fmtRuns(ceilingBatch),
        ratio: `${batchRatio.toFixed(2)}x`,
        notes: `bar ≤1.5x: ${batchRatio <= 1.5 ? 'met' : 'MISSED'} (p50)`,
      });
    }

    // 2b. The batch by subject id: answered from the kept decision rows (issue 16 item 1), against one `= ANY` lookup
    // of the same subjects' consent_state rows.
    if (PARTS.has('batch-ids')) {
      const samples = Array.from({ length: 17 }, () => sample(seeded.ids, BATCH));
      const batch = await timeBatch(ctx, consentKey, 'subjectIds', samples, 'batch by id');
      const ceilingBatch = await timeStatement(
        ctx,
        'batch_state_rows_by_id',
        `SELECT subject_id, status, expires_at FROM consent_state
          WHERE purpose_key = $2 AND channel = 'email' AND subject_id = ANY($1::uuid[])`,
        (i) => [samples[i], MAIN],
      );
      // The same batches with the rows gone: what the live statement alone costs (the answer before the rows). They
      // are put back after, with the mark that they are complete, for the parts that follow (the audience).
      const live = await withoutDecisionRows(ctx, () =>
        timeBatch(ctx, consentKey, 'subjectIds', samples, 'batch by id without rows'),
      );
      const ratio = batch.p50 / ceilingBatch.p50;
      rows.push({
        name: `batch check POST /v1/consents/check, ${BATCH.toLocaleString('en')} subject ids vs one = ANY lookup of their consent_state rows`,
        service: fmtRuns(batch),
        ceiling: fmtRuns(ceilingBatch),
        ratio: `${ratio.toFixed(2)}x`,
        notes:
          `bar ≤1.5x: ${ratio <= 1.5 ? 'met' : 'MISSED'} (p50); from the kept decision rows (rebuilt for ` +
          `the seed in ${ctx.rebuilt.seconds.toFixed(0)} s); without them ${fmtRuns(live)} (${(live.p50 / ceilingBatch.p50).toFixed(2)}x)`,
      });
    }

    // 3. The audience, ids only (consent:read) and with e-mails (admin: subjects:read).
    for (const withContacts of PARTS.has('audience') ? [false, true] : []) {
      const key = withContacts ? ctx.adminKey : consentKey;
      const rssBefore = ctx.rssMb(ctx.servicePid);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, ctx.rssMb(ctx.servicePid))), 100);
      const t0 = process.hrtime.bigint();
      let got;
      try {
        const res = await fetch(`${ctx.serviceUrl}/v1/purposes/${MAIN}/audience?channel=email`, {
          headers: { authorization: `Bearer ${key}` },
        });
        if (res.status !== 200) throw new Error(`audience: ${res.status} ${await res.text()}`);
        got = await toFile(res.body, join(OUT, `zgoda-bench-audience-service-${process.pid}.ndjson`));
      } finally {
        clearInterval(sampler);
      }
      const serviceMs = Number(process.hrtime.bigint() - t0) / 1e6;
      await new Promise((r) => setTimeout(r, 500));
      const rssAfter = ctx.rssMb(ctx.servicePid);
      const t1 = process.hrtime.bigint();
      const ceil = await cursorToFile(
        ctx,
        withContacts,
        join(OUT, `zgoda-bench-audience-ceiling-${process.pid}.ndjson`),
        crypto,
      );
      const ceilingMs = Number(process.hrtime.bigint() - t1) / 1e6;
      const r = serviceMs / ceilingMs;
      const growth = rssPeak - rssBefore;
      rows.push({
        name: `audience GET /v1/purposes/{key}/audience${withContacts ? ' with e-mails (admin key)' : ' ids only (consent:read key)'} vs cursor to a file${withContacts ? ' + unwrap/decrypt in process' : ''}`,
        service: `${got.lines.toLocaleString('en')} lines in ${ms(serviceMs)} ms (${Math.round(got.lines / (serviceMs / 1000))} lines/s)`,
        ceiling: `${ceil.lines.toLocaleString('en')} lines in ${ms(ceilingMs)} ms (${Math.round(ceil.lines / (ceilingMs / 1000))} lines/s)`,
        ratio: `${r.toFixed(2)}x`,
        notes: `service RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} → ${rssAfter.toFixed(0)} MB; bar ≤1.5x and growth < 100 MB: ${r <= 1.5 && growth < 100 && got.lines === ceil.lines ? 'met' : 'MISSED'}`,
      });
    }
    return rows;
  },
};
