import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Env } from '../config/env';
import { JOB_QUEUE } from './job.types';
import { PROCESS_ROLE, ProcessRole, runsWorker } from './process-role';
import { QueueRegistry } from './queue-registry.service';
import { schedules } from './schedules';

/** Upserts the schedule registry (src/jobs/schedules.ts) at start, in processes that run the worker. */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap {
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
}
