import { randomUUID } from 'node:crypto';
import { OutboxService } from '../../src/outbox/outbox.service';
import { eventually, startTestApp, TestApp } from '../support/test-app';

describe('platform: outbox relay', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'all' });
  });
  afterAll(() => t.close());

  it('gives every job a BullMQ-valid id, whatever key the caller chose', async () => {
    const keys = [undefined, 'plain', 'two:parts', 'a:b:c:d', '12345'];
    const outbox = t.get(OutboxService);
    await t.dataSource.transaction(async (m) => {
      for (const key of keys)
        await outbox.enqueue(m, 'maintenance.request-digest', {}, key ? { jobId: `${key}-${randomUUID()}` } : {});
    });
    const rows = await eventually(async () => {
      const r = (await t.dataSource.query(
        `SELECT job_id, sent_at, dead_at FROM outbox WHERE name = 'maintenance.request-digest'`,
      )) as { job_id: string; sent_at: Date | null; dead_at: Date | null }[];
      return r.length === keys.length && r.every((x) => x.sent_at) ? r : null;
    });
    for (const row of rows) {
      expect(row.job_id).not.toContain(':');
      expect(row.dead_at).toBeNull();
    }
  });

  it('sets aside a row the queue refuses instead of blocking the rows behind it', async () => {
    // A row written by an older version with an id BullMQ rejects ("Custom Id cannot contain :").
    await t.dataSource.query(
      `INSERT INTO outbox (queue, name, payload, job_id) VALUES ('maintenance', 'maintenance.request-digest', '{}', 'bad:id')`,
    );
    await t.dataSource.transaction((m) =>
      t.get(OutboxService).enqueue(m, 'maintenance.request-digest', {}, { jobId: 'after-the-bad-one' }),
    );
    const [bad, good] = await eventually(async () => {
      const r = (await t.dataSource.query(
        `SELECT job_id, sent_at, dead_at, last_error FROM outbox WHERE job_id IN ('bad:id', $1) ORDER BY id`,
        ['maintenance.request-digest/after-the-bad-one'],
      )) as { job_id: string; sent_at: Date | null; dead_at: Date | null; last_error: string | null }[];
      return r[1]?.sent_at ? r : null;
    });
    expect(bad.dead_at).not.toBeNull();
    expect(bad.sent_at).toBeNull();
    expect(bad.last_error).toMatch(/Custom Id/);
    expect(good.dead_at).toBeNull();
  });
});
