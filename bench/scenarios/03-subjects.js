/* eslint-disable */
// Subjects (issue 3): creation (POST /v1/subjects) and lookup by e-mail (GET /v1/subjects?email=) over a
// population of BENCH_SUBJECTS encrypted, blind-indexed subjects (default 200,000), at 50 connections.
// Ceilings, as the issue asks, run from this process at the same concurrency through pg (pool of 20, as
// the service's DB_POOL_SIZE): for the lookup, the blind index, one indexed join over the identifier, the
// subject and its key, and the unwrap/decrypt of the e-mail the answer shows; for creation, the same
// crypto and the same INSERTs in one transaction (duplicate check, subject, key, identifier), with and without
// the audit entry the service also appends. Issue 16 item 3: a grant for a new subject (POST /v1/consents by
// e-mail) at 16 connections, beside the same INSERTs (subject, key, identifier, two audit entries, the consent
// event, its state, the change-feed row) and the same ES256 receipt signature, one transaction per grant.
const { generateKeyPairSync, randomUUID, sign: cryptoSign } = require('node:crypto');
const { join } = require('node:path');
const { Pool } = require('pg');
const { seedConsent } = require('../lib/seed-consent');
const { purpose: purposeViaApi } = require('../lib/api');
const { loadVaried, loadInProcess, fmtHttp, fmtLoop, pick } = require('../lib/measure');

const dist = join(process.env.ZGODA_DIST || join(__dirname, '../../dist'), 'src');
const { CryptoService } = require(join(dist, 'common/crypto/crypto.service'));
const { decryptField, encryptField, fieldAad, generateDataKey } = require(join(dist, 'common/crypto/envelope'));
const { identifierColumn } = require(join(dist, 'subjects/subject-cipher'));

const GRANT_CALLERS = 16;
const SUBJECTS = Number(process.env.BENCH_SUBJECTS || 200_000);
// BENCH_SUBJECTS_PARTS=lookup,create,grant (the default): a subset when profiling one of them.
const PARTS = new Set((process.env.BENCH_SUBJECTS_PARTS || 'lookup,create,grant').split(','));

const LOOKUP_SQL = `SELECT i.id AS identifier_id, i.value_enc, s.id, s.status, s.created_at, k.wrapped_key, k.key_version
    FROM subject_identifiers i JOIN subjects s ON s.id = i.subject_id JOIN subject_keys k ON k.subject_id = s.id
   WHERE i.kind = 'email' AND i.blind_index = $1 AND i.system_key = ''`;

/** `work(client)` in one transaction on a pooled connection, rolled back if it throws. */
async function inTransaction(pool, work) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release();
  }
}

/** The audit entry as AuditService writes it: one INSERT, seq and tx from the column defaults. */
function insertAudit(client, action, targetType, targetId, subjectId) {
  return client.query({
    name: 'bench_audit_insert',
    text: `INSERT INTO audit_log (id, occurred_at, actor_type, actor_id, action, target_type, target_id, subject_id)
           VALUES ($1, now(), 'api_key', 'bench', $2, $3, $4, $5)`,
    values: [randomUUID(), action, targetType, targetId, subjectId],
  });
}

/**
 * Issue 16 item 3: a grant for a new subject, 16 callers, against the same INSERTs and the same receipt signature in
 * one transaction per grant from this process. The ceiling skips every read the service does (suppression list,
 * purpose and text, the subject's lock, the current state, the subscriptions): the least work that leaves the same
 * rows and answer.
 */
async function grantRow(ctx, crypto, pool, auth, run) {
  const purpose = `bench-grant-${run}`;
  await purposeViaApi(ctx, purpose, 'Newsletter', ['email']);
  const { rows: texts } = await pool.query(
    `SELECT sha256 FROM consent_texts WHERE purpose_key = $1 AND version = 1 AND locale = 'pl'`,
    [purpose],
  );
  const textSha = texts[0].sha256;
  let n = 0;
  const grants = await loadVaried(
    ctx,
    ctx.serviceUrl,
    () => ({
      method: 'POST',
      path: '/v1/consents',
      headers: auth,
      body: JSON.stringify({
        purpose,
        subject: { email: `bench-grant-${run}-${n++}@example.com` },
        channel: 'email',
        version: 1,
        locale: 'pl',
        decision: 'granted',
        source: { method: 'web', location: 'signup-form' },
      }),
    }),
    { connections: GRANT_CALLERS },
  );
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'bench', typ: 'JWT' })).toString('base64url');
  let m = 0;
  const grantOnce = async () => {
    const email = `bench-grant-ceiling-${run}-${m++}@example.com`;
    const id = randomUUID();
    const identId = randomUUID();
    const eventId = randomUUID();
    const dek = generateDataKey();
    const w = crypto.wrap(dek, id);
    const index = crypto.blindIndex('email', email);
    const now = new Date();
    const payload = {
      sub: id,
      purpose,
      channel: 'email',
      decision: 'granted',
      version: 1,
      textSha256: textSha,
      iat: now,
    };
    const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const receipt = `${input}.${cryptoSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    await inTransaction(pool, async (client) => {
      await client.query({
        name: 'bench_grant_subject',
        text: `WITH s AS (INSERT INTO subjects (id, status, created_at, updated_at, last_activity_at)
                          VALUES ($1, 'active', now(), now(), now()) RETURNING id),
                    k AS (INSERT INTO subject_keys (subject_id, wrapped_key, key_version) SELECT id, $2, $3 FROM s)
               INSERT INTO subject_identifiers (id, subject_id, kind, system_key, blind_index, value_enc, is_primary)
               SELECT $4, id, 'email', '', $5, $6, true FROM s`,
        values: [
          id,
          w.wrapped,
          w.keyVersion,
          identId,
          index,
          encryptField(dek, email, fieldAad(id, identifierColumn(identId))),
        ],
      });
      await insertAudit(client, 'subject.created', 'subject', id, id);
      const { rows: ev } = await client.query({
        name: 'bench_grant_event',
        text: `INSERT INTO consent_events (id, subject_id, purpose_key, channel, decision, version, locale, text_sha256, pending,
                                           recorded_at, occurred_at, source_method, source_location, expressed_by, gpc,
                                           suppressed, receipt)
               VALUES ($1, $2, $3, 'email', 'granted', 1, 'pl', $4, false, $5, $5, 'web', 'signup-form', 'subject', false,
                       false, $6) RETURNING seq`,
        values: [eventId, id, purpose, textSha, now, receipt],
      });
      await client.query({
        name: 'bench_grant_state',
        text: `INSERT INTO consent_state (subject_id, purpose_key, channel, status, event_id, last_seq, version, locale,
                                          text_sha256, granted_at, pending, expressed_by, suppressed, updated_at)
               VALUES ($1, $2, 'email', 'granted', $3, $4, 1, 'pl', $5, $6, false, 'subject', false, now())`,
        values: [id, purpose, eventId, ev[0].seq, textSha, now],
      });
      await client.query({
        name: 'bench_grant_change',
        text: `INSERT INTO consent_changes (tx, type, subject_id, purposes, channels)
               VALUES (pg_current_xact_id()::text::bigint, 'consent_granted', $1, ARRAY[$2], ARRAY['email'])`,
        values: [id, purpose],
      });
      await insertAudit(client, 'consent.granted', 'consent', eventId, id);
    });
  };
  const ceiling = await loadInProcess(grantOnce, { concurrency: GRANT_CALLERS });
  const ratio = (grants.requests.average / ceiling.perSecond) * 100;
  return {
    name: `grant POST /v1/consents for a new subject (by e-mail), ${GRANT_CALLERS} callers, vs the same INSERTs and receipt signature in one transaction from the bench process`,
    service: fmtHttp(grants),
    ceiling: fmtLoop(ceiling),
    ratio: `${ratio.toFixed(0)}%`,
    notes: `bar ≥50%: ${ratio >= 50 ? 'met' : 'MISSED'}; ${grants.non2xx || 0} non-2xx`,
  };
}

module.exports = {
  name: 'subjects create and lookup by e-mail',
  async setup(ctx) {
    process.stderr.write(`bench: seeding ${SUBJECTS} subjects ...\n`);
    const seeded = await seedConsent({
      databaseUrl: ctx.databaseUrl,
      encryptionKey: ctx.env.ENCRYPTION_KEY,
      subjects: SUBJECTS,
      events: 0,
      tag: 'bench-subjects',
    });
    process.stderr.write(`bench: seeded in ${seeded.seconds.toFixed(1)} s\n`);
    return { seeded };
  },
  async run(ctx) {
    const { seeded } = ctx;
    const crypto = new CryptoService({ ENCRYPTION_KEY: ctx.env.ENCRYPTION_KEY, ENCRYPTION_KEY_VERSION: 1 });
    const auth = { authorization: `Bearer ${ctx.adminKey}`, 'content-type': 'application/json' };
    const pool = new Pool({ connectionString: ctx.databaseUrl, max: 20 });
    const rows = [];
    const scale = `${SUBJECTS.toLocaleString('en')} subjects seeded`;
    try {
      // Sanity: a seeded subject is found through the service, by a differently cased e-mail.
      const [local] = seeded.emails[0].split('@');
      const probe = await fetch(`${ctx.serviceUrl}/v1/subjects?email=${encodeURIComponent(`${local}@EXAMPLE.com`)}`, {
        headers: auth,
      });
      const found = await probe.json();
      if (probe.status !== 200 || found.items?.[0]?.id !== seeded.ids[0])
        throw new Error(`lookup probe: ${probe.status}`);

      if (PARTS.has('lookup')) {
        // Lookup by e-mail, a random seeded subject per request.
        const s = await loadVaried(ctx, ctx.serviceUrl, () => ({
          path: `/v1/subjects?email=${encodeURIComponent(pick(seeded.emails))}`,
          headers: auth,
        }));
        const c = await loadInProcess(async () => {
          const email = pick(seeded.emails);
          const { rows: r } = await pool.query({
            name: 'bench_lookup',
            text: LOOKUP_SQL,
            values: [crypto.blindIndex('email', email)],
          });
          const dek = crypto.unwrap(r[0].wrapped_key, r[0].key_version, r[0].id);
          if (decryptField(dek, r[0].value_enc, fieldAad(r[0].id, identifierColumn(r[0].identifier_id))) !== email)
            throw new Error('lookup ceiling: wrong subject');
        });
        rows.push({
          name: 'lookup GET /v1/subjects?email= (random subject of all) vs blind index + one join + decrypt from the bench process',
          service: fmtHttp(s),
          ceiling: fmtLoop(c),
          ratio: `${((s.requests.average / c.perSecond) * 100).toFixed(0)}%`,
          notes: scale,
        });
      }

      let n = 0;
      const run = Date.now().toString(36);
      if (PARTS.has('create')) {
        // Creation: a new e-mail per request.
        const created = await loadVaried(ctx, ctx.serviceUrl, () => ({
          method: 'POST',
          path: '/v1/subjects',
          headers: auth,
          body: JSON.stringify({
            email: `bench-new-${run}-${n++}@example.com`,
            firstName: 'Jan',
            lastName: 'Kowalski',
            locale: 'pl',
          }),
        }));
        let m = 0;
        const createOnce = async (withAudit) => {
          const email = `bench-ceiling-${run}-${m++}@example.com`;
          const id = randomUUID();
          const identId = randomUUID();
          const dek = generateDataKey();
          const w = crypto.wrap(dek, id);
          const index = crypto.blindIndex('email', email);
          await inTransaction(pool, async (client) => {
            const taken = await client.query({
              name: 'bench_taken',
              text: `SELECT subject_id FROM subject_identifiers WHERE kind = 'email' AND blind_index = ANY($1::bytea[])`,
              values: [[index]],
            });
            if (taken.rows.length) throw new Error('creation ceiling: e-mail taken');
            await client.query({
              name: 'bench_insert_subject',
              text: `INSERT INTO subjects (id, status, first_name_enc, last_name_enc, locale_enc, created_at, updated_at, last_activity_at)
                     VALUES ($1, 'active', $2, $3, $4, now(), now(), now())`,
              values: [
                id,
                encryptField(dek, 'Jan', fieldAad(id, 'first_name')),
                encryptField(dek, 'Kowalski', fieldAad(id, 'last_name')),
                encryptField(dek, 'pl', fieldAad(id, 'locale')),
              ],
            });
            await client.query({
              name: 'bench_insert_key',
              text: `INSERT INTO subject_keys (subject_id, wrapped_key, key_version) VALUES ($1, $2, $3)`,
              values: [id, w.wrapped, w.keyVersion],
            });
            await client.query({
              name: 'bench_insert_identifier',
              text: `INSERT INTO subject_identifiers (id, subject_id, kind, system_key, blind_index, value_enc, is_primary)
                     VALUES ($1, $2, 'email', '', $3, $4, true) ON CONFLICT DO NOTHING RETURNING id`,
              values: [identId, id, index, encryptField(dek, email, fieldAad(id, identifierColumn(identId)))],
            });
            if (withAudit) await insertAudit(client, 'subject.created', 'subject', id, id);
          });
        };
        const ceilingCreate = await loadInProcess(() => createOnce(false));
        const ceilingAudited = await loadInProcess(() => createOnce(true));
        rows.push({
          name: 'create POST /v1/subjects (e-mail, names, locale) vs the same crypto and INSERTs in one transaction from the bench process',
          service: fmtHttp(created),
          ceiling: fmtLoop(ceilingCreate),
          ratio: `${((created.requests.average / ceilingCreate.perSecond) * 100).toFixed(0)}%`,
          notes: `the service also appends the audit entry in the same transaction; ${scale}`,
        });
        rows.push({
          name: 'create POST /v1/subjects vs the same plus the audit entry INSERT',
          service: fmtHttp(created),
          ceiling: fmtLoop(ceilingAudited),
          ratio: `${((created.requests.average / ceilingAudited.perSecond) * 100).toFixed(0)}%`,
          notes: 'audit appends are one INSERT with no shared lock',
        });
      }

      if (PARTS.has('grant')) rows.push(await grantRow(ctx, crypto, pool, auth, run));
    } finally {
      await pool.end();
    }
    return rows;
  },
};
