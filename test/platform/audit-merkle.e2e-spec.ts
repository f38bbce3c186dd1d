import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditSealer } from '../../src/audit/audit-sealer.service';
import { AuditService } from '../../src/audit/audit.service';
import { AuditLogReaderService } from '../../src/audit/audit-log-reader.service';
import { AuditTreeRepository } from '../../src/audit/audit-tree.repository';
import { AuditCheckpoints } from '../../src/audit/audit-checkpoints.service';
import { entryLeafHash } from '../../src/audit/audit-chain';
import {
  append as appendLeaf,
  EMPTY_FRONTIER,
  frontierRoot,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/merkle';
import { checkedFetch } from '../support/contract';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { runCli, spawnWorker } from '../support/worker-process';

/**
 * Seals until every committed entry of this installation is sealed. The sequencer seals only below the oldest
 * transaction running in the whole cluster, and other test files run long ones beside this one: wait them out.
 */
async function sealEverything(t: TestApp, sealer: AuditSealer): Promise<void> {
  await eventually(async () => {
    await sealer.sealAll();
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.seq = a.seq)`,
    )) as { n: number }[];
    return n === 0;
  }, 60_000);
}

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
    sealer = new AuditSealer(t.dataSource, t.get(AuditTreeRepository), t.get(AuditCheckpoints), t.env);
  });
  afterAll(() => t.close());

  const append = (action: string, targetId: string) =>
    t.dataSource.transaction((m) => t.get(AuditService).append(m, { action, targetType: 'test', targetId }));

  const leaves = () =>
    t.dataSource.query(
      `SELECT l.position::int AS position, l.seq::text AS seq, l.leaf_hash AS hash, a.target_id AS "targetId"
         FROM audit_leaves l JOIN audit_log a USING (seq) ORDER BY l.position`,
    ) as Promise<{ position: number; seq: string; hash: Buffer; targetId: string | null }[]>;

  /** Tampering as only the owner could, with the append-only trigger off for the one statement. */
  const tamper = (table: string, trigger: string, sql: string, params: unknown[] = []) =>
    t.asOwner(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`).then(async () => {
      try {
        await t.asOwner(sql, params);
      } finally {
        await t.asOwner(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
      }
    });

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

    await sealEverything(t, sealer);
    const sealed = (await leaves()).filter((l) => l.targetId?.startsWith('w'));
    expect(sealed).toHaveLength(32);
    expect(new Set(sealed.map((l) => l.seq)).size).toBe(32);
    const res = await t.request('GET', '/v1/audit/verify');
    expect(res.body).toMatchObject({ valid: true, trusted: { source: 'tree' } });
    expect(res.body.checked).toBe((await leaves()).length);
  });

  it('seals in commit order: nothing after a transaction still running, however low its seq', async () => {
    await sealEverything(t, sealer);
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
    await sealEverything(t, sealer);
    const tail = (await leaves()).slice(-2).map((l) => l.targetId);
    expect(tail).toEqual(['slow', 'fast']);
    const all = await leaves();
    const [tree] = await t.dataSource.query(`SELECT size::int AS size, root FROM audit_tree`);
    expect(tree.size).toBe(all.length);
    expect(tree.root.equals(rootOf(all.map((l) => l.hash)))).toBe(true);
  });

  it('tells a reader which entries came after its mark, though numbered before it (the register sign-off)', async () => {
    const reader = t.get(AuditLogReaderService);
    const change = t.dataSource.createQueryRunner();
    await change.connect();
    await change.startTransaction();
    let signOffSeq: string;
    let mark: string;
    try {
      // A change numbered first, committed last: under the old chain lock this order could not happen.
      await t
        .get(AuditService)
        .append(change.manager, { action: 'system.updated', targetType: 'system', targetId: 'x' });
      ({ mark, signOffSeq } = await t.dataSource.transaction(async (m) => ({
        mark: await reader.mark(m),
        signOffSeq: (await t.get(AuditService).append(m, { action: 'register.signed_off', targetType: 'register' }))
          .seq,
      })));
      await change.commitTransaction();
    } finally {
      await change.release();
    }
    const after = await reader.changesSince(['system.updated'], { mark, seq: signOffSeq });
    expect(after.map((r) => r.target_id)).toEqual(['x']);
    // By seq alone it would be lost: numbered before the sign-off.
    expect(await reader.changesSince(['system.updated'], { mark: null, seq: signOffSeq })).toEqual([]);
  });

  it('loses no entry and seals none twice when the worker is killed mid-batch', async () => {
    for (let i = 0; i < 50; i++) await append('test.crash', `crash-${i}`);
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
    await sealEverything(t, sealer);
    const crash = (await leaves()).filter((l) => l.targetId?.startsWith('crash-'));
    expect(crash.map((l) => l.targetId)).toEqual(Array.from({ length: 50 }, (_, i) => `crash-${i}`));
    // Every entry sealed once: as many leaves as entries (the seq column of the leaves is unique besides).
    const [{ entries, sealed }] = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM audit_log) AS entries, (SELECT count(*)::int FROM audit_leaves) AS sealed`,
    );
    expect(sealed).toBe(entries);
    expect((await t.request('GET', '/v1/audit/verify')).body.valid).toBe(true);
  }, 90_000);

  it('signs checkpoints, writes each outside the database, and proves inclusion and consistency against them', async () => {
    await sealEverything(t, sealer);
    const checkpoints = t.get(AuditCheckpoints);
    const first = (await checkpoints.issue())!;
    expect(first.treeSize).toBe((await leaves()).length);
    // Nothing new sealed: no second checkpoint of the same tree.
    expect(await checkpoints.issue()).toBeNull();
    const file = join(t.env.AUDIT_CHECKPOINT_DIR, `checkpoint-${String(first.treeSize).padStart(12, '0')}.jws`);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.jws);
    expect((await t.request('GET', '/v1/audit/checkpoints/latest')).body).toEqual(first);

    // An outside verifier needs only the published keys (no API key) and the JWS.
    const keys = await checkedFetch(`${t.baseUrl}/v1/audit/checkpoints/keys`);
    expect(keys.status).toBe(200);
    const { payload, protectedHeader } = await compactVerify(
      first.jws,
      createLocalJWKSet((await keys.json()) as JSONWebKeySet),
    );
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: first.kid, typ: 'zgoda-audit-checkpoint' });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({
      treeSize: first.treeSize,
      rootHash: first.rootHash,
      issuedAt: first.issuedAt,
    });

    for (let i = 0; i < 7; i++) await append('test.later', `l${i}`);
    await sealEverything(t, sealer);
    const second = (await checkpoints.issue())!;
    // The key's creation was itself audited, so the second tree holds it too.
    expect(second.treeSize).toBeGreaterThanOrEqual(first.treeSize + 7);

    const entry = (await leaves())[3];
    const proof = await t.request('GET', `/v1/audit/entries/${entry.seq}/proof?treeSize=${first.treeSize}`);
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({
      seq: entry.seq,
      position: 3,
      treeSize: first.treeSize,
      rootHash: first.rootHash,
    });
    const path = (proof.body.path as string[]).map((h) => Buffer.from(h, 'hex'));
    expect(verifyInclusion(entry.hash, 3, first.treeSize, path, Buffer.from(first.rootHash, 'hex'))).toBe(true);
    expect(verifyInclusion(entry.hash, 4, first.treeSize, path, Buffer.from(first.rootHash, 'hex'))).toBe(false);

    const cons = await t.request('GET', `/v1/audit/consistency?from=${first.treeSize}&to=${second.treeSize}`);
    expect(cons.status).toBe(200);
    expect(cons.body).toMatchObject({ fromRoot: first.rootHash, toRoot: second.rootHash });
    const consProof = (cons.body.proof as string[]).map((h) => Buffer.from(h, 'hex'));
    expect(
      verifyConsistency(
        first.treeSize,
        second.treeSize,
        consProof,
        Buffer.from(first.rootHash, 'hex'),
        Buffer.from(second.rootHash, 'hex'),
      ),
    ).toBe(true);

    const tooBig = await t.request('GET', `/v1/audit/entries/${entry.seq}/proof?treeSize=${second.treeSize + 1}`);
    expect(tooBig).toMatchObject({ status: 422, body: { code: 'tree_size_out_of_range' } });
    const lastSeq = (await leaves()).at(-1)!.seq;
    const notInFirst = await t.request('GET', `/v1/audit/entries/${lastSeq}/proof?treeSize=${first.treeSize}`);
    expect(notInFirst).toMatchObject({ status: 404, body: { code: 'audit_entry_not_sealed' } });
    const forged = `${first.jws.slice(0, -4)}AAAA`;
    const refused = await t.request('POST', '/v1/audit/verify', { checkpoint: forged });
    expect(refused).toMatchObject({ status: 422, body: { code: 'checkpoint_invalid' } });
    const ok = await t.request('POST', '/v1/audit/verify', { checkpoint: first.jws });
    expect(ok.body).toMatchObject({ valid: true, trusted: { source: 'checkpoint', treeSize: first.treeSize } });

    // A new key signs from now on; what the old one signed still verifies, over HTTP and with the JWKS alone.
    const rotated = await t.request('POST', '/v1/audit/checkpoints/keys/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.kid).not.toBe(first.kid);
    await sealEverything(t, sealer);
    const third = (await checkpoints.issue())!;
    expect(third.kid).toBe(rotated.body.kid);
    const jwks = (await (await checkedFetch(`${t.baseUrl}/v1/audit/checkpoints/keys`)).json()) as JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([first.kid, third.kid]));
    await compactVerify(first.jws, createLocalJWKSet(jwks));
    await compactVerify(third.jws, createLocalJWKSet(jwks));
    for (const jws of [first.jws, third.jws])
      expect((await t.request('POST', '/v1/audit/verify', { checkpoint: jws })).body.valid).toBe(true);
  });

  it('shows the sealing lag on /metrics and raises the alert past 10 s', async () => {
    await sealEverything(t, sealer);
    const metric = async (name: string) =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await checkedFetch(`${t.baseUrl}/metrics`)).text())![1]);
    expect(await metric('zgoda_audit_sealing_alert')).toBe(0);
    await t.dataSource.transaction((m) =>
      t.get(AuditService).append(m, { action: 'test.lag', targetType: 'test', targetId: 'late' }),
    );
    // An entry that has waited 11 s (its time set back: the sequencer here runs only when the test says).
    await tamper(
      'audit_log',
      'audit_log_append_only',
      `UPDATE audit_log SET occurred_at = now() - interval '11 seconds' WHERE target_id = 'late'`,
    );
    expect(await metric('zgoda_audit_sealing_lag_seconds')).toBeGreaterThan(10);
    expect(await metric('zgoda_audit_sealing_alert')).toBe(1);
    await sealEverything(t, sealer);
    expect(await metric('zgoda_audit_sealing_lag_seconds')).toBe(0);
    expect(await metric('zgoda_audit_sealing_alert')).toBe(0);
  });

  it('names the position and kind of the first fault: an entry edited, an entry removed, a leaf removed', async () => {
    await sealEverything(t, sealer);
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
      fault: { kind: 'edited', position: 5, seq: edited.seq },
      firstInvalidSeq: edited.seq,
    });
    await tamper('audit_log', 'audit_log_append_only', `DELETE FROM audit_log WHERE seq = $1`, [edited.seq]);
    res = await t.request('GET', '/v1/audit/verify');
    expect(res.body.fault).toMatchObject({ kind: 'removed', position: 5, seq: edited.seq });

    await tamper('audit_leaves', 'audit_leaves_append_only', `DELETE FROM audit_leaves WHERE position <= 5`);
    res = await t.request('GET', '/v1/audit/verify');
    expect(res.body).toMatchObject({ valid: false, checked: 0, fault: { kind: 'removed', position: 0 } });
  });
});

/*
 * What the database alone cannot show: someone with the owner's rights truncates the log, or rewrites it and
 * recomputes every leaf and the tree with the service's own hash functions (and drops the recorded checkpoints). Only
 * a checkpoint kept outside, such as the file the worker exported, proves it.
 */
describe('platform: the audit log against a checkpoint kept outside the database', () => {
  let t: TestApp;
  let sealer: AuditSealer;
  let exported: string;
  let size: number;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    sealer = new AuditSealer(t.dataSource, t.get(AuditTreeRepository), t.get(AuditCheckpoints), t.env);
    for (let i = 0; i < 20; i++)
      await t.dataSource.transaction((m) =>
        t.get(AuditService).append(m, { action: 'test.kept', targetType: 'test', targetId: `k${i}` }),
      );
    await sealEverything(t, sealer);
    const checkpoint = (await t.get(AuditCheckpoints).issue())!;
    size = checkpoint.treeSize;
    exported = join(t.env.AUDIT_CHECKPOINT_DIR, `checkpoint-${String(size).padStart(12, '0')}.jws`);
    // The checkpoint's own key creation entry came after: seal it too, so the tree runs past the checkpoint.
    await sealEverything(t, sealer);
  });
  afterAll(() => t.close());

  /** Rebuilds the leaves from `from` and the tree row from the entries now in the log, as a forger would. */
  const forgeTree = async (from: number) => {
    await t.asOwner(`
      ALTER TABLE audit_leaves DISABLE TRIGGER audit_leaves_append_only;
      ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only;
      DELETE FROM audit_leaves WHERE position >= ${from};
      DELETE FROM audit_checkpoints;
      ALTER TABLE audit_leaves ENABLE TRIGGER audit_leaves_append_only;
      ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_append_only;`);
    const rows = await t.get(AuditService).list({ limit: 10_000 });
    const ordered = rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const hashes = ordered.map((e) => entryLeafHash(e));
    for (let i = from; i < ordered.length; i++)
      await t.asOwner(`INSERT INTO audit_leaves (position, seq, leaf_hash) VALUES ($1, $2, $3)`, [
        i,
        ordered[i].seq,
        hashes[i],
      ]);
    let frontier = EMPTY_FRONTIER;
    for (const h of hashes) frontier = appendLeaf(frontier, h);
    await t.asOwner(`UPDATE audit_tree SET size = $1, frontier = $2, root = $3, last_seq = $4`, [
      frontier.size,
      frontier.nodes,
      frontierRoot(frontier),
      ordered.at(-1)!.seq,
    ]);
  };

  it('names a rewrite below the checkpoint that the database itself no longer shows', async () => {
    const victim = (await t.get(AuditService).list({ targetType: 'test', targetId: 'k4', limit: 1 }))[0];
    await t.asOwner(`
      ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
      UPDATE audit_log SET reason = 'rewritten' WHERE seq = ${Number(victim.seq)};
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    await forgeTree(0);
    // Consistent with itself: the leaves, the tree row and the entries all agree.
    expect((await t.request('GET', '/v1/audit/verify')).body).toMatchObject({
      valid: true,
      trusted: { source: 'tree' },
    });

    const jws = (await readFile(exported, 'utf8')).trim();
    const res = await t.request('POST', '/v1/audit/verify', { checkpoint: jws });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: false,
      trusted: { source: 'checkpoint', treeSize: size },
      fault: { kind: 'rewritten', position: 0 },
    });
    const cli = await runCli(t, 'verify-audit', ['--checkpoint', exported]);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ valid: false, fault: { kind: 'rewritten' } });
  });

  it('names the truncated tail, and where it begins', async () => {
    const rows = (await t.get(AuditService).list({ limit: 10_000 })).sort((a, b) => Number(a.seq) - Number(b.seq));
    const keep = size - 5;
    await t.asOwner(
      `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
       DELETE FROM audit_log WHERE seq >= ${Number(rows[keep].seq)};
       ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`,
    );
    await forgeTree(keep);
    expect((await t.request('GET', '/v1/audit/verify')).body.valid).toBe(true);
    const jws = (await readFile(exported, 'utf8')).trim();
    const res = await t.request('POST', '/v1/audit/verify', { checkpoint: jws });
    expect(res.body).toMatchObject({ valid: false, fault: { kind: 'truncated', position: keep } });
    const cli = await runCli(t, 'verify-audit', ['--checkpoint', exported]);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout).fault).toMatchObject({ kind: 'truncated', position: keep });
  });
});
