import { startTestApp, TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A transaction the service leaves open and idle (a bug, a hung await between two statements) holds back the snapshot
 * horizon the change feed reads up to, for every installation on the cluster. PostgreSQL ends such a session after
 * DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, rolling its work back; the pool then opens a fresh one.
 */
describe('platform: a transaction left idle is ended', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: 500 } });
  });

  afterAll(() => t.close());

  it('rolls the idle transaction back, frees the horizon, and the service goes on', async () => {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(
      `INSERT INTO idempotency_keys (principal_id, key, route, request_hash) VALUES ('test', 'idle', 'x', repeat('0', 64))`,
    );
    const [{ pid }] = await runner.query('SELECT pg_backend_pid() AS pid');
    await sleep(1500);
    await expect(runner.query('SELECT 1')).rejects.toThrow(/idle-in-transaction|terminat|released/);
    await runner.release().catch(() => undefined);
    const [{ gone }] = await t.asOwner(`SELECT count(*)::int = 0 AS gone FROM pg_stat_activity WHERE pid = $1`, [pid]);
    expect(gone).toBe(true);
    expect(await t.asOwner(`SELECT 1 FROM idempotency_keys WHERE key = 'idle'`)).toEqual([]);
    expect((await t.request('GET', '/v1/purposes')).status).toBe(200);
  });
});
