import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyRecord } from './idempotency-record.entity';

export interface IdempotencyClaim {
  principalId: string;
  key: string;
  route: string;
  requestHash: string;
}

/** The SQL of the Idempotency-Key store. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * True when this request now owns the key: it was free, or an earlier claim of the same request never answered
   * and its lease has run out (its process died). The primary key makes the claim atomic: of two concurrent
   * duplicates exactly one inserts or takes over.
   */
  async claim(claim: IdempotencyClaim, leaseMs: number, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO idempotency_keys (principal_id, key, route, request_hash, lease_until)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
       ON CONFLICT (principal_id, key) DO UPDATE SET lease_until = EXCLUDED.lease_until
       WHERE idempotency_keys.response_status IS NULL
         AND idempotency_keys.request_hash = EXCLUDED.request_hash
         AND (idempotency_keys.lease_until IS NULL OR idempotency_keys.lease_until < now())
       RETURNING key`,
      [claim.principalId, claim.key, claim.route, claim.requestHash, leaseMs],
    )) as unknown[];
    return rows.length > 0;
  }

  async saveResponse(
    principalId: string,
    key: string,
    responseStatus: number,
    responseBody: unknown,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m
      .getRepository(IdempotencyRecord)
      .update({ principalId, key }, { responseStatus, responseBody: responseBody as never });
  }

  async release(principalId: string, key: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.getRepository(IdempotencyRecord).delete({ principalId, key });
  }

  find(
    principalId: string,
    key: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<IdempotencyRecord | null> {
    return m.getRepository(IdempotencyRecord).findOne({ where: { principalId, key } });
  }
}
