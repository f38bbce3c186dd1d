import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OutboxReconciler } from '../outbox/outbox-reconciler.service';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { JobDispatcher } from './job-dispatcher.service';
import { QUEUE_PROCESSORS } from './queue.processors';

/** Loaded only by the worker role: consumers, the outbox relay and the reconciler. The API only enqueues. */
@Module({
  imports: [DiscoveryModule],
  // The relay and the reconciler live here (worker role only) but read the outbox through its repository.
  providers: [JobDispatcher, OutboxRelay, OutboxReconciler, OutboxRepository, ...QUEUE_PROCESSORS],
  exports: [OutboxRelay, OutboxReconciler],
})
export class WorkerModule {}
