import { startTestApp, TestApp } from '../support/test-app';
import { spawnApi } from '../support/worker-process';
import { uniqueEmail } from '../consent/consent-fixtures';

/*
 * Issue 25 item 11: an Idempotency-Key claim is a lease. The API process is killed between the claim and the
 * commit; a retry with the same key, once the lease has run out, runs the operation once and answers as the first
 * would have, and a later retry replays that answer.
 */
describe('platform: an Idempotency-Key survives the process that claimed it', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { IDEMPOTENCY_LEASE_MS: 4000 } });
  });

  afterAll(() => t.close());

  it('a retry after a kill -9 mid-request creates the subject once and is then replayed', async () => {
    const email = uniqueEmail('lease');
    // Holds the first request inside its transaction, after its claim, long enough to kill its process there.
    await t.asOwner(`
      CREATE FUNCTION hold_subject_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$;
      CREATE TRIGGER hold_subject_insert BEFORE INSERT ON subjects
        FOR EACH ROW EXECUTE FUNCTION hold_subject_insert();`);
    const first = await spawnApi(t, 'idempotency-first', { IDEMPOTENCY_LEASE_MS: '4000' });
    const headers = {
      authorization: `Bearer ${t.adminKey}`,
      'content-type': 'application/json',
      'idempotency-key': `lease-${email}`,
    };
    const inFlight = fetch(`${first.url}/v1/subjects`, { method: 'POST', headers, body: JSON.stringify({ email }) })
      // The process is killed under it: the socket closes, which is the point.
      .catch((e: Error) => e);
    const claimed = async () =>
      (await t.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [headers['idempotency-key']])).length >
      0;
    for (let i = 0; i < 100 && !(await claimed()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await claimed()).toBe(true);
    first.child.kill('SIGKILL');
    // No answer ever came: the request died with its process.
    expect((await inFlight) as { status?: number }).not.toHaveProperty('status');
    await t.asOwner('DROP TRIGGER hold_subject_insert ON subjects; DROP FUNCTION hold_subject_insert();');

    // The claim outlives its process until its lease runs out (4 s): the retry, sent before, waits for it, then runs.
    const retry = await t.request(
      'POST',
      '/v1/subjects',
      { email },
      { headers: { 'idempotency-key': headers['idempotency-key'] } },
    );
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    const again = await t.request(
      'POST',
      '/v1/subjects',
      { email },
      { headers: { 'idempotency-key': headers['idempotency-key'] } },
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(retry.body.id);
    const found = await t.request('GET', `/v1/subjects?email=${encodeURIComponent(email)}`);
    expect(found.body.items.map((s: { id: string }) => s.id)).toEqual([retry.body.id]);
  });

  it('a kill -9 after the work committed and before its answer was stored: the retry never runs it again', async () => {
    const email = uniqueEmail('lost');
    const key = `lost-${email}`;
    // Holds the answer's recording (after the work's commit) long enough to kill the process there; the statement,
    // which PostgreSQL would finish for a client that is gone, then fails, as the dead process's would never have run.
    await t.asOwner(`
      CREATE FUNCTION hold_answer() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.response_status IS NOT NULL THEN PERFORM pg_sleep(2); RAISE EXCEPTION 'answer lost'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER hold_answer BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION hold_answer();`);
    const first = await spawnApi(t, 'idempotency-lost', { IDEMPOTENCY_LEASE_MS: '3000' });
    const inFlight = fetch(`${first.url}/v1/subjects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ email }),
    }).catch((e: Error) => e);
    const committed = async () =>
      (await t.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = $1 AND committed_at IS NOT NULL`, [key]))
        .length > 0;
    for (let i = 0; i < 100 && !(await committed()); i++) await new Promise((r) => setTimeout(r, 50));
    // The subject's transaction marked the record in its own commit; the answer is not stored yet.
    expect(await committed()).toBe(true);
    first.child.kill('SIGKILL');
    expect((await inFlight) as { status?: number }).not.toHaveProperty('status');
    await t.asOwner('DROP TRIGGER hold_answer ON idempotency_keys; DROP FUNCTION hold_answer();');

    // Once the lease has run out, the retry is told the work was done (and its answer lost), and does not redo it.
    const retry = await t.request('POST', '/v1/subjects', { email }, { headers: { 'idempotency-key': key } });
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('idempotency_replay_unavailable');
    const found = await t.request('GET', `/v1/subjects?email=${encodeURIComponent(email)}`);
    expect(found.body.items).toHaveLength(1);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'subject.created' AND subject_id = $1`,
      [found.body.items[0].id],
    );
    expect(n).toBe(1);
  });

  it('a first attempt whose work rolled back frees its key for the retry', async () => {
    const email = uniqueEmail('taken');
    expect((await t.request('POST', '/v1/subjects', { email })).status).toBe(201);
    const key = `fail-${email}`;
    const bad = await t.request('POST', '/v1/subjects', { email }, { headers: { 'idempotency-key': key } });
    expect(bad.status).toBe(409);
    expect(bad.body.code).toBe('subject_exists');
    expect(await t.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).toEqual([]);
  });
});
