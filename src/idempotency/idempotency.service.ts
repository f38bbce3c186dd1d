import { Injectable, Logger } from '@nestjs/common';
import { purgeInBatches } from '../common/db/purge-in-batches';
import { Env } from '../config/env';
import { JobHandler } from '../jobs';
import { IdempotencyRecord } from './idempotency-record.entity';
import { IdempotencyClaim, IdempotencyRepository } from './idempotency.repository';

/**
 * The store behind `IdempotencyInterceptor`. Exported because Nest builds a `@UseInterceptors` class in
 * the module of the controller that uses it, so the interceptor can only inject what this module exports.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly env: Env,
  ) {}

  /** False when the key is held by an earlier (or concurrent) request whose lease still runs, or has answered. */
  claim(claim: IdempotencyClaim): Promise<boolean> {
    return this.repo.claim(claim, this.env.IDEMPOTENCY_LEASE_MS, this.env.IDEMPOTENCY_TTL_HOURS);
  }

  complete(principalId: string, key: string, status: number, ref: IdempotencyRecord['resourceRef']): Promise<void> {
    return this.repo.saveResponse(principalId, key, status, ref);
  }

  release(principalId: string, key: string): Promise<void> {
    return this.repo.release(principalId, key);
  }

  find(principalId: string, key: string): Promise<IdempotencyRecord | null> {
    return this.repo.find(principalId, key);
  }

  /** Job `maintenance.idempotency-purge` (hourly): records past IDEMPOTENCY_TTL_HOURS go. */
  @JobHandler('maintenance.idempotency-purge')
  async purgeExpired(): Promise<{ deleted: number }> {
    const deleted = await purgeInBatches((limit) => this.repo.deleteExpired(this.env.IDEMPOTENCY_TTL_HOURS, limit));
    if (deleted) this.logger.log({ deleted }, 'expired idempotency records deleted');
    return { deleted };
  }
}
