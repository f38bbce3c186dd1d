import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit, Type } from '@nestjs/common';
import { Job } from 'bullmq';
import { Env } from '../config/env';
import { JobDispatcher } from './job-dispatcher.service';
import { QueueName, QUEUES } from '../jobs';

function processorFor(queue: QueueName): Type<WorkerHost> {
  // Not autorun: a consumer started while the modules initialise took jobs before the dispatcher had its
  // handlers, failing the waiting backlog with "no handler" (issue 25 item 2). It starts once the app is up.
  @Processor(queue, { autorun: false })
  @Injectable()
  class QueueProcessor extends WorkerHost implements OnModuleInit, OnApplicationBootstrap {
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
    onApplicationBootstrap(): void {
      // run() resolves when the worker closes; a failure to run is fatal for this consumer, so it is logged.
      this.worker.run().catch((error: Error) => this.logger.error({ error: error.message }, 'consumer stopped'));
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
