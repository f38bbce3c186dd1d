/* eslint-disable */
// Subjects (issue 3): creation (POST /v1/subjects) and lookup by e-mail (GET /v1/subjects?email=) over a
// population of BENCH_SUBJECTS encrypted, blind-indexed subjects (default 200,000), at 50 connections.
// Ceilings, as the issue asks, run from this process at the same concurrency through pg (pool of 20, as
// the service's DB_POOL_SIZE): for the lookup, the blind index, one indexed join over the identifier, the
// subject and its key, and the unwrap/decrypt of the e-mail the answer shows; for creation, the same
// crypto and the same INSERTs in one transaction (duplicate check, subject, key, identifier), without the
// audit entry the service also appends.
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { Pool } = require('pg');
const { seedConsent } = require('../lib/seed-consent');
const { loadVaried, loadInProcess, fmtHttp, fmtLoop, pick } = require('../lib/measure');

const dist = join(process.env.ZGODA_DIST || join(__dirname, '../../dist'), 'src');
const { CryptoService } = require(join(dist, 'common/crypto/crypto.service'));
const { decryptField, encryptField, fieldAad, generateDataKey } = require(join(dist, 'common/crypto/envelope'));
const { identifierColumn } = require(join(dist, 'subjects/subject-cipher'));

// AuditService's lock id (src/audit/audit.service.ts, not exported).
const AUDIT_LOCK = 0x2a0d17;
const SUBJECTS = Number(process.env.BENCH_SUBJECTS || 200_000);

const LOOKUP_SQL = `SELECT i.id AS identifier_id, i.value_enc, s.id, s.status, s.created_at, k.wrapped_key, k.key_version
    FROM subject_identifiers i JOIN subjects s ON s.id = i.subject_id JOIN subject_keys k ON k.subject_id = s.id
   WHERE i.kind = 'email' AND i.blind_index = $1 AND i.system_key = ''`;

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

      // Creation: a new e-mail per request.
      let n = 0;
      const run = Date.now().toString(36);
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
      const createOnce = async (withAuditLock) => {
        const email = `bench-ceiling-${run}-${m++}@example.com`;
        const id = randomUUID();
        const identId = randomUUID();
        const dek = generateDataKey();
        const w = crypto.wrap(dek, id);
        const index = crypto.blindIndex('email', email);
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
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
          if (withAuditLock) {
            // What AuditService.append does before its INSERT: one advisory lock for every audited write,
            // held until commit so the hash chain never forks, and a read of the chain head.
            await client.query({
              name: 'bench_audit_lock',
              text: 'SELECT pg_advisory_xact_lock($1)',
              values: [AUDIT_LOCK],
            });
            await client.query({
              name: 'bench_audit_head',
              text: 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
            });
          }
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        } finally {
          client.release();
        }
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
        name: 'create POST /v1/subjects vs the same plus the audit chain lock (advisory lock + head read, held to commit)',
        service: fmtHttp(created),
        ceiling: fmtLoop(ceilingAudited),
        ratio: `${((created.requests.average / ceilingAudited.perSecond) * 100).toFixed(0)}%`,
        notes: 'every audited write in the service (subjects, consents, requests) queues on this one lock',
      });
    } finally {
      await pool.end();
    }
    return rows;
  },
};
