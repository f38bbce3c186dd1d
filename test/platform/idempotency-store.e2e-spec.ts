import { randomBytes } from 'node:crypto';
import { IdempotencyService } from '../../src/idempotency/idempotency.service';
import { OutboxService } from '../../src/outbox/outbox.service';
import { createSubject, grant, publishedPurpose, uniqueEmail } from '../consent/consent-fixtures';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 25 item 8: an Idempotency-Key record keeps the first status and a reference to what was created, never the
 * answer's body (bodies held new API keys and decrypted staff e-mail addresses in plain text, for ever); records
 * expire; finished outbox rows have a retention too.
 */
describe('platform: what the idempotency store keeps, and for how long', () => {
  let t: TestApp;
  let n = 0;
  const key = () => `idem-${++n}-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });

  afterAll(() => t.close());

  const storeText = async (): Promise<string> =>
    JSON.stringify(await t.dataSource.query(`SELECT row_to_json(k)::text AS row FROM idempotency_keys k`));

  async function twice(path: string, body: unknown) {
    const headers = { 'idempotency-key': key() };
    const first = await t.request('POST', path, body, { headers });
    const again = await t.request('POST', path, body, { headers });
    return { first, again };
  }

  it('never shows a new API key again: a replay names the key it created (409), the store holds no secret', async () => {
    const { first, again } = await twice('/v1/api-keys', { name: 'shop', scopes: ['consent:read'] });
    expect(first.status).toBe(201);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'idempotency_secret_not_replayed', id: first.body.id });
    expect(again.text).not.toContain(first.body.key);
    expect(await storeText()).not.toContain(first.body.key);
    const [{ n: keys }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM api_keys WHERE name = 'shop'`);
    expect(keys).toBe(1);
  });

  it('answers a replay with the resource read again, and keeps no personal data of the answer', async () => {
    const email = uniqueEmail('staff');
    const password = `Zielona herbata ${randomBytes(6).toString('hex')} w kubku`;
    const user = await twice('/v1/users', { email, role: 'staff', password });
    expect(user.first.status).toBe(201);
    expect(user.again.status).toBe(201);
    expect(user.again.body).toEqual(user.first.body);
    expect(user.again.body.email).toBe(email);
    expect(await storeText()).not.toContain(email);
  });

  it('replays each kind of creation with the first status and the same answer', async () => {
    const purpose = await publishedPurpose(t, 'replay', { channels: ['email'] });
    const subjectId = await createSubject(t);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const cases: [string, unknown][] = [
      ['/v1/subjects', { email: uniqueEmail() }],
      [`/v1/subjects/${subjectId}/holds`, { reason: 'Spór I C 1/26', legalBasis: 'legal_claims', until }],
      [`/v1/subjects/${subjectId}/consents`, { purpose, ...grant() }],
      ['/v1/consents', { subject: { email: uniqueEmail() }, purpose, ...grant() }],
      [`/v1/purposes/${purpose}/texts`, { locale: 'pl', title: 'Zgoda', body: 'Wyrażam zgodę.' }],
      ['/v1/register/sign-off', { note: 'przegląd' }],
      ['/v1/retention/policies', retentionPolicy()],
    ];
    for (const [path, body] of cases) {
      const { first, again } = await twice(path, body);
      expect({ path, status: first.status }).toEqual({ path, status: 201 });
      expect({ path, status: again.status, body: again.body }).toEqual({ path, status: 201, body: first.body });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    }
  });

  it('replays a duplicate request intake as the 200 it was, not as a 201', async () => {
    const subjectId = await createSubject(t);
    const created = await t.request('POST', '/v1/requests', { type: 'restriction', subjectId });
    expect(created.status).toBe(201);
    const { first, again } = await twice('/v1/requests', { type: 'restriction', subjectId });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: created.body.id, duplicate: true });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: created.body.id, duplicate: true });
  });

  it('forgets a key after IDEMPOTENCY_TTL_HOURS: the same key starts new work, and the hourly purge deletes it', async () => {
    const headers = { 'idempotency-key': key() };
    const first = await t.request('POST', '/v1/subjects', { email: uniqueEmail() }, { headers });
    expect(first.status).toBe(201);
    await t.dataSource.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [
      headers['idempotency-key'],
    ]);
    const reused = await t.request('POST', '/v1/subjects', { email: uniqueEmail() }, { headers });
    expect(reused.status).toBe(201);
    expect(reused.body.id).not.toBe(first.body.id);

    const old = key();
    await t.dataSource.query(
      `INSERT INTO idempotency_keys (principal_id, key, route, request_hash, response_status, created_at)
       VALUES ('apikey:x', $1, 'POST /v1/subjects', repeat('0', 64), 201, now() - interval '25 hours')`,
      [old],
    );
    expect((await t.get(IdempotencyService).purgeExpired()).deleted).toBe(1);
    const left = await t.dataSource.query(`SELECT key FROM idempotency_keys WHERE key = ANY($1)`, [
      [old, headers['idempotency-key']],
    ]);
    expect(left).toEqual([{ key: headers['idempotency-key'] }]);
  });

  it('refuses to replay an answer recorded before references were kept (409), rather than run the work again', async () => {
    const headers = { 'idempotency-key': key() };
    const body = { email: uniqueEmail() };
    const first = await t.request('POST', '/v1/subjects', body, { headers });
    await t.dataSource.query(`UPDATE idempotency_keys SET resource_ref = NULL WHERE key = $1`, [
      headers['idempotency-key'],
    ]);
    const again = await t.request('POST', '/v1/subjects', body, { headers });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('idempotency_replay_unavailable');
    const [{ n: subjects }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM subjects WHERE id = $1`, [
      first.body.id,
    ]);
    expect(subjects).toBe(1);
  });

  it('deletes outbox rows finished more than OUTBOX_RETENTION_DAYS ago, and keeps the rest', async () => {
    await t.dataSource.query(
      `INSERT INTO outbox (queue, name, payload, job_id, completed_at, dead_at) VALUES
         ('maintenance', 'maintenance.changes-purge', '{}', 'purge-test/old', now() - interval '8 days', NULL),
         ('maintenance', 'maintenance.changes-purge', '{}', 'purge-test/recent', now() - interval '6 days', NULL),
         ('maintenance', 'maintenance.changes-purge', '{}', 'purge-test/dead', NULL, now() - interval '30 days'),
         ('maintenance', 'maintenance.changes-purge', '{}', 'purge-test/open', NULL, NULL)`,
    );
    expect((await t.get(OutboxService).purgeFinished()).deleted).toBe(1);
    const left = await t.dataSource.query(`SELECT job_id FROM outbox WHERE job_id LIKE 'purge-test/%' ORDER BY job_id`);
    expect(left.map((r: { job_id: string }) => r.job_id)).toEqual([
      'purge-test/dead',
      'purge-test/open',
      'purge-test/recent',
    ]);
  });
});

function retentionPolicy() {
  return {
    key: `pol-${randomBytes(3).toString('hex')}`,
    dataCategory: 'contact_data',
    trigger: 'last_activity',
    period: 'P2Y',
    action: 'anonymise',
    legalBasis: 'art. 6 ust. 1 lit. f RODO',
    owner: 'customer service',
  };
}
