import { affectedRows } from '../common/db/purge-in-batches';
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
   * True when this request now owns the key: it was free, its record has expired (older than `ttlHours`: the key
   * is new again, whatever it was used for), or an earlier claim of the same request never answered and its lease
   * has run out (its process died before its work committed: a claim marked committed is never taken over). The
   * primary key makes the claim atomic: of two concurrent duplicates exactly one inserts or takes over.
   */
  async claim(
    claim: IdempotencyClaim,
    leaseMs: number,
    ttlHours: number,
    m: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO idempotency_keys (principal_id, key, route, request_hash, lease_until)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
       ON CONFLICT (principal_id, key) DO UPDATE
         SET lease_until = EXCLUDED.lease_until, route = EXCLUDED.route, request_hash = EXCLUDED.request_hash,
             response_status = NULL, resource_ref = NULL, committed_at = NULL, created_at = now()
       WHERE idempotency_keys.created_at < now() - $6 * interval '1 hour'
          OR (idempotency_keys.response_status IS NULL AND idempotency_keys.committed_at IS NULL
              AND idempotency_keys.request_hash = EXCLUDED.request_hash
              AND (idempotency_keys.lease_until IS NULL OR idempotency_keys.lease_until < now()))
       RETURNING key`,
      [claim.principalId, claim.key, claim.route, claim.requestHash, leaseMs, ttlHours],
    )) as unknown[];
    return rows.length > 0;
  }

  async saveResponse(
    principalId: string,
    key: string,
    responseStatus: number,
    resourceRef: IdempotencyRecord['resourceRef'],
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m.getRepository(IdempotencyRecord).update({ principalId, key }, { responseStatus, resourceRef });
  }

  /** Records past the replay window; the claim treats them as free already, this keeps the table small. */
  async deleteExpired(ttlHours: number, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM idempotency_keys WHERE (principal_id, key) IN (
         SELECT principal_id, key FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 hour' LIMIT $2)
       RETURNING 1`,
        [ttlHours, limit],
      ),
    );
  }

  /** In the work's own transaction (IdempotencyCommitMarker). */
  async markCommitted(m: EntityManager, principalId: string, key: string): Promise<void> {
    await m.query(
      `UPDATE idempotency_keys SET committed_at = now()
        WHERE principal_id = $1 AND key = $2 AND response_status IS NULL AND committed_at IS NULL`,
      [principalId, key],
    );
  }

  /** Frees a key whose work failed; one whose work committed stays taken (a retry must not run it again). */
  async release(principalId: string, key: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.query(`DELETE FROM idempotency_keys WHERE principal_id = $1 AND key = $2 AND committed_at IS NULL`, [
      principalId,
      key,
    ]);
  }

  find(
    principalId: string,
    key: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<IdempotencyRecord | null> {
    return m.getRepository(IdempotencyRecord).findOne({ where: { principalId, key } });
  }
}
