import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditWorkerModule } from '../audit';
import { OutboxWorkerModule } from '../outbox';
import { JobDispatcher } from './job-dispatcher.service';
import { QUEUE_PROCESSORS } from './queue.processors';

/** Loaded only by the worker role: consumers, the outbox relay, the reconciler and the audit sequencer. The API only enqueues. */
@Module({
  imports: [DiscoveryModule, OutboxWorkerModule, AuditWorkerModule],
  providers: [JobDispatcher, ...QUEUE_PROCESSORS],
  exports: [OutboxWorkerModule],
})
export class WorkerModule {}
