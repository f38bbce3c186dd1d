import { Injectable } from '@nestjs/common';
import { DataSource, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyScope } from './idempotency-scope';

/**
 * Marks an Idempotency-Key's record as carried out inside the transaction that carries the work out, just before it
 * commits (TypeORM's beforeTransactionCommit; savepoints excepted). The record and the work commit together or not at
 * all: a lease that runs out on a marked record was lost after the work, never before it.
 */
@Injectable()
export class IdempotencyCommitMarker implements EntitySubscriberInterface {
  constructor(
    dataSource: DataSource,
    private readonly repo: IdempotencyRepository,
  ) {
    dataSource.subscribers.push(this);
  }

  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const scope = IdempotencyScope.current();
    const runner = event.queryRunner as { transactionDepth?: number };
    if (!scope || (runner.transactionDepth ?? 1) > 1) return;
    await this.repo.markCommitted(event.manager, scope.principalId, scope.key);
  }
}
