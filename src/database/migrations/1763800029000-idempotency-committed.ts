import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 25 item 11: the guarded work's transaction marks its Idempotency-Key record as carried out. A process killed
 * between that commit and storing the answer used to leave a claim whose lease ran out, and the retry ran the work a
 * second time.
 */
export class IdempotencyCommitted1763800029000 implements MigrationInterface {
  name = 'IdempotencyCommitted1763800029000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN committed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN committed_at`);
  }
}
