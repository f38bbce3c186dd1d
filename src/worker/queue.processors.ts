import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit, Type } from '@nestjs/common';
import { Job } from 'bullmq';
import { RedisWatch } from '../common/redis/redis-availability';
import { Env } from '../config/env';
import { JobDispatcher } from './job-dispatcher.service';
import { QueueName, QUEUES } from '../jobs';

const WORKERS = new RedisWatch('workers');

// BullMQ reports Redis's own replies and its internal failures through the same event as a lost connection.
const isConnectionError = (e: Error) =>
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|Stream isn't writeable|max retries/i.test(
    `${(e as { code?: string }).code ?? ''} ${e.message}`,
  );

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
      // Redis going away is expected to be temporary: BullMQ reconnects and the reconciler re-drives. Logged once
      // per outage for all consumers (a line per retry every 2 s buried everything else).
      if (isConnectionError(error)) WORKERS.failed(error);
      else this.logger.error({ err: { name: error.name, message: error.message } }, 'consumer error');
    }
    @OnWorkerEvent('ready')
    onReady(): void {
      WORKERS.recovered();
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue[0].toUpperCase()}${queue.slice(1)}Processor` });
  return QueueProcessor;
}

export const QUEUE_PROCESSORS = QUEUES.map(processorFor);
