import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit, Type } from '@nestjs/common';
import { Job } from 'bullmq';
import { Env } from '../config/env';
import { JobDispatcher } from './job-dispatcher.service';
import { QueueName, QUEUES } from '../jobs';

function processorFor(queue: QueueName): Type<WorkerHost> {
  @Processor(queue, { autorun: true })
  @Injectable()
  class QueueProcessor extends WorkerHost implements OnModuleInit {
    private readonly logger = new Logger(`queue:${queue}`);
    constructor(
      private readonly dispatcher: JobDispatcher,
      private readonly env: Env,
    ) {
      super();
    }
    onModuleInit(): void {
      this.worker.concurrency = this.env.WORKER_CONCURRENCY;
    }
    process(job: Job): Promise<unknown> {
      return this.dispatcher.dispatch(job);
    }
    @OnWorkerEvent('error')
    onError(error: Error): void {
      // Redis going away is expected to be temporary: BullMQ reconnects and the reconciler re-drives.
      this.logger.warn({ error: error.message }, 'worker connection error');
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue[0].toUpperCase()}${queue.slice(1)}Processor` });
  return QueueProcessor;
}

export const QUEUE_PROCESSORS = QUEUES.map(processorFor);
