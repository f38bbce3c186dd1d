import { ChildProcess } from 'node:child_process';
import { DataSource } from 'typeorm';
import { spawnWorker } from '../support/worker-process';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { publishedPurpose } from './consent-fixtures';

// Issue 14 item 1: enough rows for a kill to land mid-import (batches of 500).
const ROWS = 10_000;

/**
 * A worker killed with SIGKILL in the middle of an import: the batch in flight rolls back whole, and the next
 * worker resumes at the first batch not committed. Every row is imported exactly once, counted once.
 */
describe('consent: an import whose worker is killed', () => {
  let t: TestApp;
  const workers: ChildProcess[] = [];

  const startWorker = (n: number): ChildProcess => {
    const child = spawnWorker(t, `import-crash-worker-${n}`);
    workers.push(child);
    return child;
  };

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await t?.close();
  });

  it('imports every row once after the kill', async () => {
    const news = await publishedPurpose(t, 'news', { channels: ['email'] });
    // Expressed after the text was published.
    await new Promise((r) => setTimeout(r, 50));
    const at = new Date().toISOString();
    const lines = Array.from({ length: ROWS }, (_, i) =>
      JSON.stringify({ subject: { email: `crash-${i}@example.test` }, decision: 'granted', occurredAt: at }),
    );
    const created = await t.request('POST', '/v1/imports', {
      defaults: { purpose: news, channel: 'email', locale: 'pl', version: 1, source: { method: 'import' } },
    });
    const id = created.body.id as string;
    const put = await t.request('PUT', `/v1/imports/${id}/file`, undefined, {
      raw: `${lines.join('\n')}\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(put.status).toBe(202);

    const first = startWorker(1);
    // Killed once some batches are committed and before the last.
    const before = await eventually(
      async () => {
        const r = await t.request('GET', `/v1/imports/${id}`);
        return r.body.rows.read >= 1000 ? r.body : null;
      },
      60_000,
      20,
    );
    first.kill('SIGKILL');
    expect(before.rows.read).toBeLessThan(ROWS);

    startWorker(2);
    const done = await eventually(
      async () => {
        const r = await t.request('GET', `/v1/imports/${id}`);
        return r.body.status === 'completed' ? r.body : null;
      },
      120_000,
      200,
    );
    expect(done.rows).toEqual({ read: ROWS, imported: ROWS, skipped: 0, failed: 0 });
    const db = t.get(DataSource);
    const [events] = (await db.query('SELECT count(*)::int AS n FROM consent_events WHERE import_id = $1', [id])) as {
      n: number;
    }[];
    expect(events.n).toBe(ROWS);
    const [subjects] = (await db.query(
      `SELECT count(DISTINCT subject_id)::int AS n FROM consent_events WHERE import_id = $1`,
      [id],
    )) as { n: number }[];
    expect(subjects.n).toBe(ROWS);
    const batches = await t.request('GET', `/v1/audit?action=consent_import.batch&targetId=${id}&limit=100`);
    expect(batches.body.items).toHaveLength(ROWS / 500);
  }, 180_000);
});
