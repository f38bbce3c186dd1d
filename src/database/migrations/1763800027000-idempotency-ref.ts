import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 25 item 8: an idempotency record keeps the first answer's status and a reference to what it created, never
 * its body (bodies held new API keys and decrypted e-mail addresses in plain text, for ever). Bodies recorded before
 * go; a replay of such a record answers 409 idempotency_replay_unavailable instead of running the work twice. Both
 * this store and the outbox get a retention.
 */
export class IdempotencyRef1763800027000 implements MigrationInterface {
  name = 'IdempotencyRef1763800027000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN response_body, ADD COLUMN resource_ref jsonb`);
    await q.query(`CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at)`);
    // The outbox purge (OUTBOX_RETENTION_DAYS) reads finished rows by age.
    await q.query(`CREATE INDEX ix_outbox_completed ON outbox (completed_at) WHERE completed_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_outbox_completed`);
    await q.query(`DROP INDEX ix_idempotency_keys_created`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN resource_ref, ADD COLUMN response_body jsonb`);
  }
}
