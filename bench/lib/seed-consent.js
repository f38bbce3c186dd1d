/* eslint-disable */
// Seeds a consent population straight into PostgreSQL, as the service would have stored it: subjects with
// a wrapped data key and one encrypted, blind-indexed e-mail each (the service's own crypto, from dist),
// an append-only history of consent events per subject, and the consent_state projection derived from
// exactly those events (the latest event per subject, purpose and channel), so a decision, a batch and an
// audience read the same rows they would in production. Set-based: a chunk of subjects is three unnest
// INSERTs plus one INSERT ... SELECT for its events; the projection is one INSERT ... SELECT at the end.
// Not seeded: audit entries and sealed evidence (the decision path reads neither).
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { Client } = require('pg');

const dist = join(process.env.ZGODA_DIST || join(__dirname, '../../dist'), 'src');
const { CryptoService } = require(join(dist, 'common/crypto/crypto.service'));
const { encryptField, fieldAad, generateDataKey } = require(join(dist, 'common/crypto/envelope'));
const { identifierColumn } = require(join(dist, 'subjects/subject-cipher'));

/**
 * One subject's history, `per` events long, over the newsletter purpose (`main`, channels email and sms)
 * and a second, sms-only purpose (`other`). The last word on (main, email) is always a grant, so every
 * subject is in the main audience; the other triples end granted or withdrawn.
 */
function history(per, main, other) {
  const steps = [
    [main, 'email', 'granted'],
    [main, 'sms', 'granted'],
    [other, 'sms', 'granted'],
    [main, 'sms', 'withdrawn'],
    [main, 'email', 'granted'], // re-confirmed at a store counter: a second grant, same triple
  ];
  for (let i = steps.length; i < per; i++) steps.push([other, 'sms', i % 2 ? 'withdrawn' : 'granted']);
  return steps.slice(0, Math.max(1, per));
}

/**
 * `subjects` subjects with e-mails `${tag}-${i}@example.com` and about `events` consent events between
 * them. Returns the subject ids and e-mails in the same order, the number of events and the seconds spent.
 */
async function seedConsent({ databaseUrl, encryptionKey, subjects, events, main, other, tag, chunk = 5000 }) {
  const started = Date.now();
  const crypto = new CryptoService({ ENCRYPTION_KEY: encryptionKey, ENCRYPTION_KEY_VERSION: 1 });
  // events = 0: subjects only (the subjects scenario), no purposes needed.
  const steps = events > 0 ? history(Math.round(events / subjects), main, other) : [];
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const ids = [];
  const emails = [];
  try {
    const sha = new Map(
      !steps.length
        ? []
        : (
            await client.query(
              `SELECT purpose_key, sha256 FROM consent_texts WHERE purpose_key = ANY($1) AND version = 1 AND locale = 'pl'`,
              [[main, other]],
            )
          ).rows.map((r) => [r.purpose_key, r.sha256]),
    );
    if (steps.length && (!sha.get(main) || !sha.get(other)))
      throw new Error('seedConsent: publish version 1 (pl) of both purposes first');
    const base = new Date(Date.now() - 400 * 24 * 3600 * 1000);
    for (let start = 0; start < subjects; start += chunk) {
      const n = Math.min(chunk, subjects - start);
      const chunkIds = [];
      const wrapped = [];
      const versions = [];
      const identIds = [];
      const blind = [];
      const values = [];
      for (let i = start; i < start + n; i++) {
        const id = randomUUID();
        const email = `${tag}-${i}@example.com`;
        const dek = generateDataKey();
        const w = crypto.wrap(dek, id);
        const identId = randomUUID();
        chunkIds.push(id);
        wrapped.push(w.wrapped);
        versions.push(w.keyVersion);
        identIds.push(identId);
        blind.push(crypto.blindIndex('email', email));
        values.push(encryptField(dek, email, fieldAad(id, identifierColumn(identId))));
        ids.push(id);
        emails.push(email);
      }
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO subjects (id, created_at, updated_at, last_activity_at)
         SELECT id, $2, $2, now() FROM unnest($1::uuid[]) AS t(id)`,
        [chunkIds, base],
      );
      await client.query(
        `INSERT INTO subject_keys (subject_id, wrapped_key, key_version)
         SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::int[])`,
        [chunkIds, wrapped, versions],
      );
      await client.query(
        `INSERT INTO subject_identifiers (id, subject_id, kind, system_key, blind_index, value_enc, is_primary)
         SELECT i, s, 'email', '', b, v, true FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::bytea[]) AS t(i, s, b, v)`,
        [identIds, chunkIds, blind, values],
      );
      // ORDER BY step, subject: seq (bigserial, drawn as rows are inserted) follows each subject's history.
      if (steps.length)
        await client.query(
          `INSERT INTO consent_events (id, subject_id, purpose_key, channel, decision, version, locale, text_sha256,
                                     pending, recorded_at, occurred_at, source_method, expressed_by, gpc, suppressed)
         SELECT gen_random_uuid(), s.id, k.purpose_key, k.channel, k.decision, 1, 'pl',
                CASE WHEN k.purpose_key = $5 THEN $6 ELSE $7 END, false,
                $8::timestamptz + k.n * interval '1 day' + s.ord * interval '1 ms',
                $8::timestamptz + k.n * interval '1 day' + s.ord * interval '1 ms',
                CASE WHEN k.n = 1 THEN 'web' ELSE 'store' END, 'subject', false, false
           FROM unnest($1::uuid[]) WITH ORDINALITY AS s(id, ord)
          CROSS JOIN unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(purpose_key, channel, decision, n)
          ORDER BY k.n, s.ord`,
          [
            chunkIds,
            steps.map((s) => s[0]),
            steps.map((s) => s[1]),
            steps.map((s) => s[2]),
            main,
            sha.get(main),
            sha.get(other),
            base,
          ],
        );
      await client.query('COMMIT');
    }
    // The projection the writer keeps in the same transaction as each event: the latest event per triple.
    if (steps.length)
      await client.query(
        `INSERT INTO consent_state (subject_id, purpose_key, channel, status, event_id, last_seq, version, locale,
                                  text_sha256, granted_at, confirmed_at, expires_at, pending, expressed_by,
                                  suppressed, updated_at)
       SELECT DISTINCT ON (subject_id, purpose_key, channel)
              subject_id, purpose_key, channel, decision, id, seq, version, locale, text_sha256,
              CASE WHEN decision = 'granted' THEN occurred_at END, NULL, expires_at, pending, expressed_by,
              suppressed, recorded_at
         FROM consent_events WHERE purpose_key = ANY($1)
        ORDER BY subject_id, purpose_key, channel, seq DESC`,
        [[main, other]],
      );
    await client.query('ANALYZE subjects, subject_keys, subject_identifiers, consent_events, consent_state');
  } finally {
    await client.end();
  }
  return { ids, emails, events: subjects * steps.length, seconds: (Date.now() - started) / 1000 };
}

module.exports = { seedConsent };
