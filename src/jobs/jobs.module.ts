import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { Env } from '../config/env';
import { Housekeeping } from './housekeeping.service';
import { JobSchedules } from './job-schedules.service';
import { DEFAULT_JOB_OPTIONS, QUEUES } from './job.types';
import { PROCESS_ROLE, ProcessRole } from './process-role';
import { QueueRegistry } from './queue-registry.service';
import { redisOptionsFromUrl } from '../common/redis/redis-connection';

/**
 * Queues for producing (every role), the process role and the schedules. Consumers live in WorkerModule,
 * loaded only when the role includes the worker.
 */
@Global()
@Module({})
export class JobsModule {
  static forRole(role: ProcessRole): DynamicModule {
    return {
      module: JobsModule,
      imports: [
        BullModule.forRootAsync({
          inject: [Env],
          useFactory: (env: Env) => ({
            connection: redisOptionsFromUrl(env.REDIS_URL) as ConnectionOptions,
            prefix: env.REDIS_PREFIX,
            defaultJobOptions: DEFAULT_JOB_OPTIONS,
          }),
        }),
        BullModule.registerQueue(...QUEUES.map((name) => ({ name }))),
      ],
      providers: [QueueRegistry, JobSchedules, Housekeeping, { provide: PROCESS_ROLE, useValue: role }],
      exports: [QueueRegistry, JobSchedules, Housekeeping, BullModule, PROCESS_ROLE],
    };
  }
}
