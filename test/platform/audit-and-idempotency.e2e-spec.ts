import { purposeBody } from '../consent/consent-fixtures';
import { startTestApp, TestApp } from '../support/test-app';

describe('platform: audit log privileges and idempotency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t.close());

  it('refuses UPDATE, DELETE and TRUNCATE on the audit log in the database itself', async () => {
    // Even its owner: the trigger refuses.
    await expect(t.asOwner(`UPDATE audit_log SET reason = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.asOwner(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.asOwner(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });

  it('gives the service only SELECT and INSERT there: it cannot change entries even by switching the trigger off', async () => {
    // Issue 16: the service's own sessions work as the runtime role, neither the owner nor a superuser.
    const [who] = await t.dataSource.query(
      `SELECT current_user AS role, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
    );
    expect(who).toEqual({ role: 'zgoda_runtime', superuser: false });
    await expect(t.dataSource.query(`UPDATE audit_log SET reason = 'x' WHERE seq = 1`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(t.dataSource.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/permission denied/);
    await expect(t.dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/permission denied/);
    await expect(t.dataSource.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`)).rejects.toThrow(
      /must be owner/,
    );
    await expect(t.dataSource.query(`SET session_replication_role = replica`)).rejects.toThrow(/permission denied/);
    await expect(t.dataSource.query(`SET ROLE postgres`)).rejects.toThrow(/permission denied/);
    // The other append-only tables alike; the working tables stay writable.
    for (const table of ['audit_leaves', 'consent_events', 'breach_events', 'retention_policy_versions'])
      await expect(t.dataSource.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied/);
    await expect(t.dataSource.query(`DELETE FROM idempotency_keys WHERE false`)).resolves.toBeDefined();
  });

  it('replays the first status and the created resource for the same Idempotency-Key and body', async () => {
    const headers = { 'idempotency-key': 'create-purpose-1' };
    const body = purposeBody('idem');
    const first = await t.request('POST', '/v1/purposes', body, { headers });
    const again = await t.request('POST', '/v1/purposes', body, { headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await t.request('POST', '/v1/purposes', purposeBody('idem-other'), { headers });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('runs concurrent duplicates once', async () => {
    const headers = { 'idempotency-key': 'concurrent-1' };
    const body = purposeBody('concurrent');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.request('POST', '/v1/purposes', body, { headers })),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM purposes WHERE key = $1`, [body.key]);
    expect(n).toBe(1);
  });

  it('scopes keys per caller: another client reusing a key string gets its own result', async () => {
    const other = await t.request('POST', '/v1/api-keys', { name: 'second-admin', scopes: ['admin'] });
    const headers = { 'idempotency-key': 'shared-string' };
    const a = await t.request('POST', '/v1/purposes', purposeBody('by-admin'), { headers });
    const b = await t.request('POST', '/v1/purposes', purposeBody('by-second'), { headers, key: other.body.key });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.key).not.toBe(a.body.key);
  });
});
