import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 item 1: the decision for a (subject, purpose, channel) kept as one row, written by the consent module
 * in the transaction of every change that alters it (DecisionRowsService), so a batch check reads the rows it asks
 * for and nothing else. Rows exist for every channel of a purpose the subject has a consent state for; for anyone
 * else, and for a row past `valid_until`, the check decides from the subject and its states as before. The table
 * starts empty: until the worker's backfill has passed, a check decides as before.
 *
 * `reason` answers a check by id (and by an identifier that is not suppressed); `reason_if_suppressed` answers
 * a check by an identifier on the suppression list. `allowed` is `reason` in (granted, legal_basis).
 */
export class DecisionRows1763800033000 implements MigrationInterface {
  name = 'DecisionRows1763800033000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE decision_rows (
        purpose_key text NOT NULL,
        channel text NOT NULL,
        subject_id uuid NOT NULL,
        reason text NOT NULL,
        reason_if_suppressed text NOT NULL,
        event_id uuid,
        version int,
        granted_at timestamptz,
        valid_until timestamptz,
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (purpose_key, channel, subject_id)
      )`);
    // A refresh replaces a subject's rows; the primary key leads with the purpose, for the batch and the audience.
    await q.query(`CREATE INDEX ix_decision_rows_subject ON decision_rows (subject_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE decision_rows`);
  }
}
