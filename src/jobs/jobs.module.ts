import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { Env } from '../config/env';
import { DEFAULT_JOB_OPTIONS, QUEUES } from './job.types';
import { QueueRegistry } from './queue-registry.service';
import { redisOptionsFromUrl } from './redis-connection';

/** Queues for producing (both roles). Consumers live in WorkerModule, loaded only by the worker role. */
@Global()
@Module({
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
  providers: [QueueRegistry],
  exports: [QueueRegistry, BullModule],
})
export class JobsModule {}
