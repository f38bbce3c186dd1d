import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 25 item 11: an Idempotency-Key claim is a lease. A claim whose process died before answering is taken over
 * by the next retry once its lease has run out; before, it answered 409 idempotency_in_progress for ever. Claims
 * made before this migration have no lease and count as run out.
 */
export class IdempotencyLease1763800026000 implements MigrationInterface {
  name = 'IdempotencyLease1763800026000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN lease_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN lease_until`);
  }
}
