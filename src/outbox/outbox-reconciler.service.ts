import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Env } from '../config/env';
import { JobSchedules, QueueRegistry } from '../jobs';
import { OutboxRepository } from './outbox.repository';

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
    private readonly repo: OutboxRepository,
    private readonly queues: QueueRegistry,
    private readonly schedules: JobSchedules,
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

  /** One round; returns how many jobs were re-driven. The schedules a Redis restarted empty lost come back too. */
  async reconcile(): Promise<number> {
    return this.repo.withSessionLock(RECONCILE_LOCK, 0, async (m) => {
      await this.schedules.restore();
      return this.redrive(m);
    });
  }

  private async redrive(m: EntityManager): Promise<number> {
    const rows = await this.repo.findStalled(m, this.env.RECONCILE_GRACE_MS);
    let redriven = 0;
    for (const row of rows) {
      const queue = this.queues.get(row.queue);
      const job = await queue.getJob(row.job_id);
      const state = job ? await job.getState() : 'missing';
      if (LIVE_STATES.has(state)) continue;
      if (row.redrives >= MAX_REDRIVES) {
        await this.repo.markGivenUp(m, row.id);
        this.logger.error({ jobId: row.job_id, job: row.name }, 'job gave up after re-drives; needs an operator');
        continue;
      }
      if (job && state === 'failed') await job.retry('failed');
      else {
        // completed-but-unmarked means the handler crashed after its work: re-running is a no-op by design.
        // A job that cannot be removed (locked, or gone meanwhile) is logged: the add below, under the same id,
        // is what re-drives the work.
        if (job) {
          await job
            .remove()
            .catch((e: unknown) =>
              this.logger.warn({ jobId: row.job_id, err: { name: (e as Error).name } }, 'stale job not removed'),
            );
        }
        await queue.add(row.name, row.payload, { jobId: row.job_id });
      }
      await this.repo.countRedrive(m, row.id);
      redriven += 1;
    }
    if (redriven) this.logger.warn({ redriven }, 're-drove jobs missing from Redis');
    return redriven;
  }
}
