/* eslint-disable */
// Seeds a large population of subjects straight into PostgreSQL, as the service would have stored them:
// a wrapped data key each and one encrypted, blind-indexed e-mail, so erasing them does the real work
// (unwrap, decrypt, suppression hash). Used by the retention scale test and the retention benchmark.
// Needs the build (dist/, or the folder ZGODA_DIST names): the crypto is the service's own.
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { Client } = require('pg');

const dist = join(process.env.ZGODA_DIST || join(__dirname, '../../dist'), 'src');
const { CryptoService } = require(join(dist, 'common/crypto/crypto.service'));
const { encryptField, fieldAad, generateDataKey } = require(join(dist, 'common/crypto/envelope'));

/**
 * `total` subjects, of which every `total / due`-th has its last activity `dueAgoMs` ago and the rest
 * `freshAgoMs` ago. Ids are random, so due subjects are spread over every keyset page. Returns the
 * number of due subjects.
 */
async function seedSubjects({ databaseUrl, encryptionKey, total, due, dueAgoMs, freshAgoMs, tag, chunk = 5000 }) {
  const crypto = new CryptoService({ ENCRYPTION_KEY: encryptionKey, ENCRYPTION_KEY_VERSION: 1 });
  const every = Math.floor(total / due);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  let dueCount = 0;
  try {
    for (let start = 0; start < total; start += chunk) {
      const n = Math.min(chunk, total - start);
      const ids = [];
      const activity = [];
      const wrapped = [];
      const versions = [];
      const identIds = [];
      const blind = [];
      const values = [];
      for (let i = start; i < start + n; i++) {
        const id = randomUUID();
        const isDue = i % every === 0 && dueCount < due;
        if (isDue) dueCount += 1;
        ids.push(id);
        activity.push(new Date(Date.now() - (isDue ? dueAgoMs : freshAgoMs)));
        const dek = generateDataKey();
        const w = crypto.wrap(dek, id);
        wrapped.push(w.wrapped);
        versions.push(w.keyVersion);
        const identId = randomUUID();
        const email = `${tag}-${i}@example.com`;
        identIds.push(identId);
        blind.push(crypto.blindIndex('email', email));
        values.push(encryptField(dek, email, fieldAad(id, `identifier.${identId}`)));
      }
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO subjects (id, created_at, updated_at, last_activity_at)
         SELECT id, at, at, at FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, at)`,
        [ids, activity],
      );
      await client.query(
        `INSERT INTO subject_keys (subject_id, wrapped_key, key_version)
         SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::int[])`,
        [ids, wrapped, versions],
      );
      await client.query(
        `INSERT INTO subject_identifiers (id, subject_id, kind, system_key, blind_index, value_enc, is_primary)
         SELECT i, s, 'email', '', b, v, true FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::bytea[]) AS t(i, s, b, v)`,
        [identIds, ids, blind, values],
      );
      await client.query('COMMIT');
    }
    await client.query('ANALYZE subjects, subject_keys, subject_identifiers');
  } finally {
    await client.end();
  }
  return dueCount;
}

/** Resident set size of a process, in MB (Linux). */
function rssMb(pid) {
  try {
    const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch {
    return NaN;
  }
}

module.exports = { seedSubjects, rssMb };
