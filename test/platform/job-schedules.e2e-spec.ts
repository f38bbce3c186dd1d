import { QueueRegistry } from '../../src/jobs/queue-registry.service';
import { schedules } from '../../src/jobs/schedules';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { deleteRedisPrefix } from '../support/test-env';

/*
 * Issue 25 items 1 and 2: Redis holds the schedules and the waiting work. A Redis that comes back empty gets every
 * schedule back from the running worker, and a worker that starts on a backlog runs it, never failing a job
 * because its consumers started before its handlers.
 */
describe('jobs: schedules survive an empty Redis, and a starting worker takes its backlog', () => {
  const active = (t: TestApp) => schedules(t.env).filter((s) => s.repeat !== 'off');
  const schedulerIds = async (t: TestApp) => {
    const ids: string[] = [];
    for (const queue of t.get(QueueRegistry).all()) ids.push(...(await queue.getJobSchedulers()).map((s) => s.key));
    return ids.sort();
  };

  it('restores every schedule within a reconciler round after Redis lost them, without a restart', async () => {
    const t = await startTestApp();
    try {
      const expected = active(t)
        .map((s) => s.id)
        .sort();
      expect(await schedulerIds(t)).toEqual(expected);
      await deleteRedisPrefix(t.env.REDIS_PREFIX);
      expect(await schedulerIds(t)).toEqual([]);
      // RECONCILE_INTERVAL_MS is 500 in tests: a few rounds at most.
      await eventually(async () => (await schedulerIds(t)).length === expected.length, 5_000);
      expect(await schedulerIds(t)).toEqual(expected);
    } finally {
      await t.close();
    }
  });

  it('a worker started on 300 waiting jobs runs them all and fails none', async () => {
    const api = await startTestApp({ role: 'api' });
    let worker: TestApp | undefined;
    try {
      const queue = api.get(QueueRegistry).get('maintenance');
      await queue.addBulk(
        Array.from({ length: 300 }, (_, i) => ({
          name: 'maintenance.decision-log-purge',
          data: {},
          opts: { jobId: `backlog-${i}` },
        })),
      );
      worker = await startTestApp({
        role: 'worker',
        dbName: api.dbName,
        env: {
          REDIS_PREFIX: api.env.REDIS_PREFIX,
          ENCRYPTION_KEY: api.env.ENCRYPTION_KEY,
          ADMIN_API_KEY: api.env.ADMIN_API_KEY,
        },
      });
      const states = () => Promise.all(Array.from({ length: 300 }, (_, i) => queue.getJobState(`backlog-${i}`)));
      await eventually(async () => (await states()).every((s) => s === 'completed' || s === 'failed'), 30_000);
      expect(new Set(await states())).toEqual(new Set(['completed']));
      expect((await queue.getJobCounts('failed')).failed).toBe(0);
    } finally {
      await worker?.close();
      await api.close();
    }
  });
});
