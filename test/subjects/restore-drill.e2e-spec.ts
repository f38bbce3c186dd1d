import { execFile } from 'node:child_process';
import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { adminQuery, dbUrl, dropDatabase } from '../support/test-env';
import { runCli } from '../support/worker-process';

const run = promisify(execFile);
const rows = async (db: Client, sql: string, params: unknown[] = []): Promise<any[]> =>
  (await db.query(sql, params)).rows;

/**
 * Issue 25, restore drill: an operator restores a backup taken before some erasures. The erased subjects come back
 * with their wrapped keys; the erasure journal, kept outside the database, lets `npm run restore:replay` erase them
 * again.
 */
describe('subjects: restoring a backup taken before erasures, then replaying the erasure journal', () => {
  let t: TestApp;
  const restored = `${'zgoda_t_'}${process.env.ZGODA_TEST_RUN}_r${Date.now().toString(36)}`;
  const dump = join(tmpdir(), `${restored}.dump`);

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await dropDatabase(restored);
    await rm(dump, { force: true });
    await t.close();
  });

  async function subject(name: string): Promise<string> {
    const r = await t.request('POST', '/v1/subjects', { email: `${name}.${Date.now()}@example.com`, firstName: name });
    expect(r.status).toBe(201);
    return r.body.id as string;
  }

  const erase = async (id: string) =>
    expect((await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'staff:drill' })).status).toBe(204);

  /** Journal lines naming `id`, across every file. */
  async function journaled(id: string): Promise<unknown[]> {
    const dir = t.env.ERASURE_JOURNAL_DIR;
    const names = await readdir(dir).catch(() => [] as string[]);
    const lines: unknown[] = [];
    for (const n of names)
      for (const l of (await readFile(join(dir, n), 'utf8')).split('\n')) if (l.includes(id)) lines.push(JSON.parse(l));
    return lines;
  }

  async function state(db: Client, id: string) {
    const [s] = await rows(db, 'SELECT status FROM subjects WHERE id = $1', [id]);
    const [{ keys }] = await rows(db, 'SELECT count(*)::int AS keys FROM subject_keys WHERE subject_id = $1', [id]);
    const [{ identifiers }] = await rows(
      db,
      'SELECT count(*)::int AS identifiers FROM subject_identifiers WHERE subject_id = $1',
      [id],
    );
    return { status: (s?.status as string) ?? null, keys, identifiers };
  }

  it('erases again every subject erased after the backup, leaves the others, and can run twice', async () => {
    const erasedBefore = await subject('dawna');
    await erase(erasedBefore);
    const [ola, jan, kept] = [await subject('ola'), await subject('jan'), await subject('ewa')];
    await eventually(async () => (await journaled(erasedBefore)).length > 0 || undefined, 30_000);

    await run('pg_dump', ['-Fc', '-f', dump, dbUrl(t.dbName)]);
    const backupAt = new Date();

    await erase(ola);
    await erase(jan);
    const bornAfter = await subject('nowa');
    await erase(bornAfter);
    for (const id of [ola, jan, bornAfter])
      await eventually(async () => (await journaled(id)).length > 0 || undefined, 30_000);
    // The entries carry ids and a time only: no personal data outside the database.
    expect(await journaled(ola)).toEqual([{ v: 1, subjectId: ola, erasedAt: expect.any(String), kind: 'erased' }]);
    // A crash mid-append can leave a torn last line; the retried job writes its batch again whole.
    const [file] = await readdir(t.env.ERASURE_JOURNAL_DIR);
    await appendFile(join(t.env.ERASURE_JOURNAL_DIR, file), '{"v":1,"subjectId":"');

    await adminQuery(`CREATE DATABASE ${restored}`);
    await run('pg_restore', ['--no-owner', '-d', dbUrl(restored), dump]);
    const db = new Client({ connectionString: dbUrl(restored) });
    await db.connect();
    try {
      // What the restore brought back: the subjects erased since the backup, key and identifiers with them.
      expect(await state(db, ola)).toEqual({ status: 'active', keys: 1, identifiers: 1 });
      expect(await state(db, bornAfter)).toEqual({ status: null, keys: 0, identifiers: 0 });

      const first = await runCli(t, 'restore-replay', ['--since', backupAt.toISOString()], {
        DATABASE_URL: dbUrl(restored),
      });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual({
        files: 1,
        entries: 4,
        unreadableLines: 1,
        subjects: 3,
        replayed: 2,
        alreadyGone: 1,
        held: [],
        failed: [],
      });
      for (const id of [ola, jan]) expect(await state(db, id)).toEqual({ status: 'erased', keys: 0, identifiers: 0 });
      expect(await state(db, kept)).toEqual({ status: 'active', keys: 1, identifiers: 1 });
      expect(await state(db, erasedBefore)).toEqual({ status: 'erased', keys: 0, identifiers: 0 });
      const audited = await rows(
        db,
        `SELECT target_id FROM audit_log WHERE action = 'subject.erased' AND reason = 'restore-replay' ORDER BY target_id`,
      );
      expect(audited.map((r: { target_id: string }) => r.target_id)).toEqual([ola, jan].sort());
      // Suppression came back with the replay too: the e-mail stays uncontactable if it is imported again.
      const [{ n }] = await rows(
        db,
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'subject.erased' AND target_id = $1
            AND (data->>'suppressed')::int = 1`,
        [ola],
      );
      expect(n).toBe(1);

      // Without --since every entry is taken; everything is erased already, so nothing changes.
      const again = await runCli(t, 'restore-replay', [], { DATABASE_URL: dbUrl(restored) });
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ subjects: 4, replayed: 0, alreadyGone: 4 });
    } finally {
      await db.end();
    }
  });

  it('refuses a --since that is not a time, touching nothing', async () => {
    const r = await runCli(t, 'restore-replay', ['--since', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since: not a time');
  });
});
