import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 2: the change feed. Every change that can alter a consent decision is a row, written in the
 * transaction that makes the change. `tx` is that transaction's id: a reader returns only rows of transactions
 * older than the oldest one still running (`pg_snapshot_xmin`), in (tx, seq) order, so a change that commits
 * late can never land behind a cursor a reader already passed.
 */
export class ChangeFeed1763800020000 implements MigrationInterface {
  name = 'ChangeFeed1763800020000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent_changes (
        seq bigserial PRIMARY KEY,
        tx bigint NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        subject_id uuid NOT NULL,
        purposes text[] NOT NULL DEFAULT '{}',
        channels text[] NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX ix_consent_changes_cursor ON consent_changes (tx, seq)`);
    await q.query(`CREATE INDEX ix_consent_changes_occurred ON consent_changes (occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE consent_changes`);
  }
}
