import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CryptoService } from '../../src/common/crypto/crypto.service';
import { DecryptionError } from '../../src/common/crypto/envelope';
import { EnvInput } from '../../src/config/env';
import { KeyRotationReport, KeyRotationService } from '../../src/subjects/key-rotation.service';
import { SubjectLifecycleService } from '../../src/subjects/subject-lifecycle.service';
import { SystemsService } from '../../src/systems/systems.service';
import { startTestApp, TestApp } from '../support/test-app';
import { logDir, randomKey } from '../support/test-env';

const tag = () => randomBytes(4).toString('hex');
const ROOT = join(__dirname, '..', '..');
const SEEDED = 300;

interface Seeded {
  id: string;
  email: string;
  lastName: string;
}

/**
 * Keeps creating, reading and looking up subjects (new ones and ones written before the rotation) over
 * HTTP from several concurrent clients until stopped; every failure is kept.
 */
function trafficAgainst(t: TestApp, seeded: Seeded[]) {
  let stop = false;
  const failures: string[] = [];
  const completedAt: number[] = [];
  const client = async () => {
    while (!stop) {
      const email = `load.${tag()}@example.com`;
      const old = seeded[Math.floor(Math.random() * seeded.length)];
      try {
        const created = await t.request('POST', '/v1/subjects', { email, lastName: 'Obciazeniowyq' });
        if (created.status !== 201) throw new Error(`create ${created.status}`);
        const read = await t.request('GET', `/v1/subjects/${created.body.id}`);
        if (read.body.email !== email) throw new Error(`read ${read.status}`);
        const found = await t.request('GET', `/v1/subjects?email=${encodeURIComponent(email.toUpperCase())}`);
        if (found.body.items?.[0]?.id !== created.body.id) throw new Error(`lookup ${found.status}`);
        const before = await t.request('GET', `/v1/subjects/${old.id}`);
        if (before.body.lastName !== old.lastName) throw new Error(`old read ${before.status}`);
        completedAt.push(Date.now());
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
  };
  const clients = Promise.all(Array.from({ length: 4 }, client));
  return {
    failures,
    completedAt,
    async stop() {
      stop = true;
      await clients;
    },
  };
}

/** `npm run keys:rotate` minus the build: the same script, run as its own process against the same database. */
function runRotateCli(env: EnvInput): Promise<{ code: number | null; report: KeyRotationReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'test/support/swc-register.js'), join(ROOT, 'src/cli/rotate-keys.ts'), '--batch-size', '20'],
      {
        cwd: ROOT,
        env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code, report: JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as KeyRotationReport, stderr });
      } catch {
        reject(new Error(`rotate-keys printed no report (exit ${code}): ${stderr.slice(0, 500)}`));
      }
    });
  });
}

describe('subjects: master key rotation, online', () => {
  const K1 = randomKey();
  const K2 = randomKey();
  const K3 = randomKey();
  // Set from the first day, as the README advises: lookups never depend on a master key version.
  const BLIND = randomKey();
  let dbName: string;
  let seeded: Seeded[] = [];
  let backup: { subjectId: string; wrapped: Buffer; version: number };
  let systemId: string;
  const apps: TestApp[] = [];

  const keyVersions = async (t: TestApp) =>
    (await t.dataSource.query(
      'SELECT key_version, count(*)::int AS n FROM subject_keys GROUP BY key_version ORDER BY key_version',
    )) as { key_version: number; n: number }[];

  /** Stops an app but keeps the database for the next one (as a redeploy with new keys would). */
  const retire = async (t: TestApp) => {
    apps.splice(apps.indexOf(t), 1);
    await t.app!.close();
  };

  afterAll(async () => {
    for (const a of apps.slice(1)) await a.app?.close();
    await apps[0]?.close();
  });

  it('writes subjects under master key version 1', async () => {
    const t = await startTestApp({ role: 'api', env: { ENCRYPTION_KEY: K1, BLIND_INDEX_KEY: BLIND } });
    apps.push(t);
    dbName = t.dbName;
    const subjects = t.get(SubjectLifecycleService);
    for (let i = 0; i < SEEDED; i++) {
      const s = { email: `seed.${i}.${tag()}@example.com`, lastName: `Nazwiskoq${tag()}` };
      const { id } = await t.dataSource.transaction((m) => subjects.create(s, m));
      seeded.push({ id, ...s });
    }
    const system = await t.request('POST', '/v1/systems', {
      key: 'shop',
      name: 'Shop',
      kind: 'webhook',
      webhook: { url: 'https://shop.example.com/zgoda', secret: 'whsec_rotation_test_0123456789' },
    });
    expect(system.status).toBe(201);
    systemId = system.body.id;
    const [key] = (await t.dataSource.query(
      'SELECT subject_id, wrapped_key, key_version FROM subject_keys WHERE subject_id = $1',
      [seeded[0].id],
    )) as { subject_id: string; wrapped_key: Buffer; key_version: number }[];
    // A full backup taken now holds this wrapped key.
    backup = { subjectId: key.subject_id, wrapped: key.wrapped_key, version: key.key_version };
    expect(await keyVersions(t)).toEqual([{ key_version: 1, n: SEEDED }]);
    await retire(t);
  });

  it('rewraps every key to version 2 (service method) while clients keep creating and reading', async () => {
    const t = await startTestApp({
      role: 'api',
      dbName,
      env: {
        ENCRYPTION_KEY: K2,
        ENCRYPTION_KEY_VERSION: 2,
        ENCRYPTION_KEYS_PREVIOUS: `1:${K1}`,
        BLIND_INDEX_KEY: BLIND,
      },
    });
    apps.push(t);
    const traffic = trafficAgainst(t, seeded);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const report = await t.get(KeyRotationService).rotate({ batchSize: 20 });
    const finished = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    await traffic.stop();

    expect(traffic.failures).toEqual([]);
    expect(traffic.completedAt.filter((at) => at >= started && at <= finished).length).toBeGreaterThan(0);
    expect(report).toEqual({
      currentVersion: 2,
      rewrapped: SEEDED,
      failed: 0,
      remaining: 0,
      resealed: { 'systems.webhook_secrets': 1 },
    });
    expect(await keyVersions(t)).toEqual([{ key_version: 2, n: SEEDED + traffic.completedAt.length }]);
    // Run again (at-least-once): nothing left to do.
    expect(await t.get(KeyRotationService).rotate()).toMatchObject({
      rewrapped: 0,
      remaining: 0,
      resealed: { 'systems.webhook_secrets': 0 },
    });
    const audit = await t.request('GET', '/v1/audit?action=keys.rotated');
    expect(audit.body.items[1]).toMatchObject({ target: { type: 'master_key', id: '2' }, data: { rewrapped: SEEDED } });

    // The person in the backup asks to be erased.
    expect((await t.request('POST', `/v1/subjects/${backup.subjectId}/erase`, { reason: 'request:test' })).status).toBe(
      204,
    );
    seeded = seeded.filter((s) => s.id !== backup.subjectId);
    await retire(t);
  });

  it('rewraps to version 3 with `keys:rotate` as a separate process while clients keep going', async () => {
    const env = {
      ENCRYPTION_KEY: K3,
      ENCRYPTION_KEY_VERSION: 3,
      ENCRYPTION_KEYS_PREVIOUS: `2:${K2}`,
      BLIND_INDEX_KEY: BLIND,
    };
    const t = await startTestApp({ role: 'api', dbName, env });
    apps.push(t);
    const traffic = trafficAgainst(t, seeded);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const cli = await runRotateCli({
      ...env,
      NODE_ENV: 'test',
      DATABASE_URL: t.env.DATABASE_URL,
      REDIS_URL: t.env.REDIS_URL,
      REDIS_PREFIX: t.env.REDIS_PREFIX,
      ADMIN_API_KEY: t.adminKey,
      LOG_FILE: `${logDir()}/rotate-keys-cli-${process.pid}.log`,
    });
    const finished = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    await traffic.stop();

    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(traffic.failures).toEqual([]);
    expect(traffic.completedAt.filter((at) => at >= started && at <= finished).length).toBeGreaterThan(0);
    expect(cli.report).toMatchObject({
      currentVersion: 3,
      failed: 0,
      remaining: 0,
      resealed: { 'systems.webhook_secrets': 1 },
    });
    expect(cli.report.rewrapped).toBeGreaterThanOrEqual(SEEDED - 1);
    const versions = await keyVersions(t);
    expect(versions).toHaveLength(1);
    expect(versions[0].key_version).toBe(3);
    const [secret] = (await t.dataSource.query('SELECT webhook_secret FROM systems WHERE id = $1', [systemId])) as {
      webhook_secret: Buffer;
    }[];
    expect(secret.webhook_secret[0]).toBe(3);
    await retire(t);
  });

  it('serves everything with only the newest master key, and the old backup no longer opens', async () => {
    const t = await startTestApp({
      role: 'api',
      dbName,
      env: { ENCRYPTION_KEY: K3, ENCRYPTION_KEY_VERSION: 3, BLIND_INDEX_KEY: BLIND },
    });
    apps.push(t);
    for (const s of seeded.filter((_, i) => i % 15 === 0)) {
      const found = await t.request('GET', `/v1/subjects?email=${encodeURIComponent(s.email)}`);
      expect(found.body.items.map((x: { id: string; lastName: string }) => [x.id, x.lastName])).toEqual([
        [s.id, s.lastName],
      ]);
    }
    const systems = t.get(SystemsService);
    expect(systems.getWebhook(systemId)?.secret).toBe('whsec_rotation_test_0123456789');
    expect(systems.verifyCallback(systemId, systems.signPayload(systemId, '{}'), '{}')).toBe(true);

    // Versions 1 and 2 are destroyed: a backup from before the erasure holds a key nobody can unwrap.
    let error: unknown;
    try {
      t.get(CryptoService).unwrap(backup.wrapped, backup.version, backup.subjectId);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe('unknown_key_version');
  });
});
