import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Env } from '../config/env';
import { JOB_QUEUE } from './job.types';
import { PROCESS_ROLE, ProcessRole, runsWorker } from './process-role';
import { QueueRegistry } from './queue-registry.service';
import { schedules } from './schedules';

/**
 * Keeps the schedule registry (src/jobs/schedules.ts) in Redis, in processes that run the worker: upserted at
 * start, and restored every round of the outbox reconciler. Redis holds the schedulers and nothing else does: one
 * restarted empty (no persistence, a flush, a failover to an empty replica) would otherwise lose every retention
 * sweep, expiry and digest until a worker restarted (issue 25 item 1).
 */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobSchedules.name);

  constructor(
    private readonly queues: QueueRegistry,
    private readonly env: Env,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!runsWorker(this.role)) return;
    for (const s of schedules(this.env)) {
      const queue = this.queues.get(JOB_QUEUE[s.name]);
      if (s.repeat === 'off') await queue.removeJobScheduler(s.id);
      else await queue.upsertJobScheduler(s.id, s.repeat, { name: s.name, data: s.payload });
    }
  }

  /**
   * Re-creates every schedule Redis no longer has; returns how many. Only missing ones are written: upserting a
   * live `every` scheduler would move its next run.
   */
  async restore(): Promise<number> {
    let restored = 0;
    for (const s of schedules(this.env)) {
      if (s.repeat === 'off') continue;
      const queue = this.queues.get(JOB_QUEUE[s.name]);
      if (await queue.getJobScheduler(s.id)) continue;
      await queue.upsertJobScheduler(s.id, s.repeat, { name: s.name, data: s.payload });
      restored += 1;
    }
    if (restored) this.logger.warn({ restored }, 'restored job schedules missing from Redis');
    return restored;
  }
}
