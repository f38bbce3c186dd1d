import { Client } from 'pg';
import { AuditSealer } from '../../src/audit/audit-sealer.service';
import { AuditService } from '../../src/audit/audit.service';
import { AuditTreeRepository } from '../../src/audit/audit-tree.repository';
import { entryLeafHash } from '../../src/audit/audit-chain';
import { rootOf } from '../../src/audit/merkle';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { spawnWorker } from '../support/worker-process';

/*
 * Issue 16 item 2: an audit append is one INSERT in the writer's own transaction; the sequencer seals committed
 * entries into an RFC 9162 Merkle tree in an order no later commit can change; verification recomputes everything
 * and names the first fault.
 */
describe('platform: the audit log as a Merkle tree', () => {
  let t: TestApp;
  let sealer: AuditSealer;

  beforeAll(async () => {
    // The API role runs no sequencer: the tests seal when they choose to.
    t = await startTestApp({ role: 'api', env: { DB_POOL_SIZE: 40 } });
    sealer = new AuditSealer(t.dataSource, t.get(AuditTreeRepository), t.env);
  });
  afterAll(() => t.close());

  const append = (action: string, targetId: string) =>
    t.dataSource.transaction((m) => t.get(AuditService).append(m, { action, targetType: 'test', targetId }));

  const leaves = () =>
    t.dataSource.query(
      `SELECT l.position::int AS position, l.seq::text AS seq, l.leaf_hash AS hash, a.target_id AS "targetId"
         FROM audit_leaves l JOIN audit_log a USING (seq) ORDER BY l.position`,
    ) as Promise<{ position: number; seq: string; hash: Buffer; targetId: string | null }[]>;

  it('lets 32 concurrent writers append without waiting on any shared lock', async () => {
    const sampler = new Client({ connectionString: t.env.DATABASE_MIGRATION_URL });
    await sampler.connect();
    let sampling = true;
    let samples = 0;
    let maxInFlight = 0;
    const waits: unknown[] = [];
    const sample = (async () => {
      while (sampling) {
        const { rows } = await sampler.query(
          `SELECT l.locktype, l.mode, l.granted, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
              AND (NOT l.granted OR l.locktype = 'advisory')`,
        );
        waits.push(...rows);
        const { rows: open } = await sampler.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`,
        );
        maxInFlight = Math.max(maxInFlight, (open[0] as { n: number }).n);
        samples += 1;
      }
    })();
    try {
      // Each writer keeps its transaction open a moment after its INSERT, as a real change would: under the old
      // chain lock every other writer queued behind it.
      await Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          t.dataSource.transaction(async (m) => {
            await t.get(AuditService).append(m, { action: 'test.concurrent', targetType: 'test', targetId: `w${i}` });
            await m.query('SELECT pg_sleep(0.2)');
          }),
        ),
      );
    } finally {
      sampling = false;
      await sample;
      await sampler.end();
    }
    expect(samples).toBeGreaterThan(3);
    expect(maxInFlight).toBeGreaterThanOrEqual(16);
    expect(waits).toEqual([]);

    await sealer.sealAll();
    const sealed = (await leaves()).filter((l) => l.targetId?.startsWith('w'));
    expect(sealed).toHaveLength(32);
    expect(new Set(sealed.map((l) => l.seq)).size).toBe(32);
    const res = await t.request('GET', '/v1/audit/verify');
    expect(res.body).toMatchObject({ valid: true, trusted: { source: 'stored' } });
    expect(res.body.checked).toBe((await leaves()).length);
  });

  it('seals in commit order: nothing after a transaction still running, however low its seq', async () => {
    await sealer.sealAll();
    const slow = t.dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      await t.get(AuditService).append(slow.manager, { action: 'test.order', targetType: 'test', targetId: 'slow' });
      await append('test.order', 'fast');
      // The fast entry committed, but the slow transaction began first and may still commit: sealing now would fix
      // an order that its commit could contradict.
      expect(await sealer.sealAll()).toBe(0);
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    expect(await sealer.sealAll()).toBe(2);
    const tail = (await leaves()).slice(-2).map((l) => l.targetId);
    expect(tail).toEqual(['slow', 'fast']);
    const all = await leaves();
    const [tree] = await t.dataSource.query(`SELECT size::int AS size, root FROM audit_tree`);
    expect(tree.size).toBe(all.length);
    expect(tree.root.equals(rootOf(all.map((l) => l.hash)))).toBe(true);
  });

  it('loses no entry and seals none twice when the worker is killed mid-batch', async () => {
    for (let i = 0; i < 50; i++) await append('test.crash', `c${i}`);
    // Holds the sequencer's tree update inside its transaction, after it wrote the batch's leaves, so the kill
    // lands mid-batch.
    await t.asOwner(`
      CREATE FUNCTION hold_tree_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(20); RETURN NEW; END $$;
      CREATE TRIGGER hold_tree_update BEFORE UPDATE ON audit_tree FOR EACH ROW EXECUTE FUNCTION hold_tree_update();`);
    const worker = spawnWorker(t, 'audit-sealer-crash', { AUDIT_SEAL_INTERVAL_MS: '100' });
    try {
      await eventually(async () => {
        const rows = await t.dataSource.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'UPDATE audit_tree%'`,
        );
        return rows.length > 0;
      }, 30_000);
    } finally {
      worker.kill('SIGKILL');
    }
    await t.asOwner(`DROP TRIGGER hold_tree_update ON audit_tree; DROP FUNCTION hold_tree_update();`);
    // The dead worker's backend would notice its closed socket only after the sleep: end it now, as PostgreSQL
    // would, which rolls its transaction back (leaves written, tree row not yet).
    await t.asOwner(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'UPDATE audit_tree%'`,
    );
    await eventually(async () => {
      const rows = await t.dataSource.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'UPDATE audit_tree%'`,
      );
      return rows.length === 0;
    });
    // The ended backend's row lock on the tree may outlive its pg_stat_activity row for a moment: until then this
    // sequencer finds the tree taken and seals nothing.
    await eventually(async () => (await sealer.sealAll()) >= 50);
    const crash = (await leaves()).filter((l) => l.targetId?.startsWith('c'));
    expect(crash.map((l) => l.targetId)).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`));
    // Every entry sealed once: as many leaves as entries (the seq column of the leaves is unique besides).
    const [{ entries, sealed }] = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM audit_log) AS entries, (SELECT count(*)::int FROM audit_leaves) AS sealed`,
    );
    expect(sealed).toBe(entries);
    expect((await t.request('GET', '/v1/audit/verify')).body.valid).toBe(true);
  }, 90_000);

  /** Tampering as only the owner could, with the append-only trigger off for the one statement. */
  const tamper = (table: string, trigger: string, sql: string, params: unknown[] = []) =>
    t.asOwner(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`).then(async () => {
      try {
        await t.asOwner(sql, params);
      } finally {
        await t.asOwner(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
      }
    });

  it('names the position and kind of the first fault: an entry edited, an entry removed, a leaf removed', async () => {
    await sealer.sealAll();
    const all = await leaves();
    const edited = all[5];
    expect(entryLeafHash((await t.get(AuditService).findForTarget('test', edited.targetId!))[0])).toEqual(edited.hash);
    await tamper('audit_log', 'audit_log_append_only', `UPDATE audit_log SET reason = 'forged' WHERE seq = $1`, [
      edited.seq,
    ]);
    let res = await t.request('GET', '/v1/audit/verify');
    expect(res.body).toMatchObject({
      valid: false,
      checked: 5,
      fault: { kind: 'edited', position: '5', seq: edited.seq },
      firstInvalidSeq: edited.seq,
    });
    await tamper('audit_log', 'audit_log_append_only', `DELETE FROM audit_log WHERE seq = $1`, [edited.seq]);
    res = await t.request('GET', '/v1/audit/verify');
    expect(res.body.fault).toMatchObject({ kind: 'removed', position: '5', seq: edited.seq });

    await tamper('audit_leaves', 'audit_leaves_append_only', `DELETE FROM audit_leaves WHERE position <= 5`);
    res = await t.request('GET', '/v1/audit/verify');
    expect(res.body).toMatchObject({ valid: false, checked: 0, fault: { kind: 'removed', position: '0' } });
  });
});
