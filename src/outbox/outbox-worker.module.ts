import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxReconciler } from './outbox-reconciler.service';
import { OutboxRelay } from './outbox-relay.service';
import { OUTBOX_ENTITIES } from './outbox.entities';
import { OutboxRepository } from './outbox.repository';

/**
 * The outbox's worker half, imported only by the worker role: the relay (outbox → BullMQ) and the reconciler.
 * The API role only enqueues, through the global OutboxModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature(OUTBOX_ENTITIES)],
  providers: [OutboxRelay, OutboxReconciler, OutboxRepository],
  exports: [OutboxRelay, OutboxReconciler],
})
export class OutboxWorkerModule {}
