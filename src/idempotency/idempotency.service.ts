import { Injectable } from '@nestjs/common';
import { Env } from '../config/env';
import { IdempotencyRecord } from './idempotency-record.entity';
import { IdempotencyClaim, IdempotencyRepository } from './idempotency.repository';

/**
 * The store behind `IdempotencyInterceptor`. Exported because Nest builds a `@UseInterceptors` class in
 * the module of the controller that uses it, so the interceptor can only inject what this module exports.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly env: Env,
  ) {}

  /** False when the key is held by an earlier (or concurrent) request whose lease still runs, or has answered. */
  claim(claim: IdempotencyClaim): Promise<boolean> {
    return this.repo.claim(claim, this.env.IDEMPOTENCY_LEASE_MS);
  }

  complete(principalId: string, key: string, responseStatus: number, responseBody: unknown): Promise<void> {
    return this.repo.saveResponse(principalId, key, responseStatus, responseBody);
  }

  release(principalId: string, key: string): Promise<void> {
    return this.repo.release(principalId, key);
  }

  find(principalId: string, key: string): Promise<IdempotencyRecord | null> {
    return this.repo.find(principalId, key);
  }
}
