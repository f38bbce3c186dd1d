import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Env } from '../config/env';
import { QueueName } from '../jobs/job.types';
import { QueueRegistry } from '../jobs/queue-registry.service';

const MAX_REDRIVES = 5;
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
// Only one worker reconciles at a time; the others skip the round.
const RECONCILE_LOCK = 0x2a0d18;

/**
 * PostgreSQL is the source of truth and Redis only holds work in flight. Work the outbox says was sent but
 * never completed, and that no queue holds any more (Redis restarted without persistence, flushed, or the
 * job failed past its attempts), is handed to BullMQ again. Handlers are idempotent, so a re-drive of work
 * that did happen is a no-op.
 */
@Injectable()
export class OutboxReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxReconciler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueueRegistry,
    private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running)
        this.running = this.reconcile()
          .catch((e: Error) => this.logger.warn({ error: e.message }, 'reconcile failed'))
          .finally(() => (this.running = undefined));
    }, this.env.RECONCILE_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round; returns how many jobs were re-driven. */
  async reconcile(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RECONCILE_LOCK])) as {
        locked: boolean;
      }[];
      if (!locked) return 0;
      try {
        const rows = (await runner.query(
          `SELECT id, queue, name, payload, job_id, redrives FROM outbox
            WHERE sent_at IS NOT NULL AND completed_at IS NULL AND dead_at IS NULL
              AND sent_at < now() - make_interval(secs => $1::float / 1000) AND available_at < now()
            ORDER BY id LIMIT 1000`,
          [this.env.RECONCILE_GRACE_MS],
        )) as {
          id: string;
          queue: QueueName;
          name: string;
          payload: Record<string, unknown>;
          job_id: string;
          redrives: number;
        }[];
        let redriven = 0;
        for (const row of rows) {
          const queue = this.queues.get(row.queue);
          const job = await queue.getJob(row.job_id);
          const state = job ? await job.getState() : 'missing';
          if (LIVE_STATES.has(state)) continue;
          if (row.redrives >= MAX_REDRIVES) {
            await runner.query(`UPDATE outbox SET dead_at = now() WHERE id = $1`, [row.id]);
            this.logger.error({ jobId: row.job_id, job: row.name }, 'job gave up after re-drives; needs an operator');
            continue;
          }
          if (job && state === 'failed') await job.retry('failed');
          else {
            // completed-but-unmarked means the handler crashed after its work: re-running is a no-op by design.
            if (job) await job.remove().catch(() => undefined);
            await queue.add(row.name, row.payload, { jobId: row.job_id });
          }
          await runner.query('UPDATE outbox SET redrives = redrives + 1 WHERE id = $1', [row.id]);
          redriven += 1;
        }
        if (redriven) this.logger.warn({ redriven }, 're-drove jobs missing from Redis');
        return redriven;
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RECONCILE_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }
}
