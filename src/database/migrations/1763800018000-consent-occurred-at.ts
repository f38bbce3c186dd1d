import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 1: a consent event says when the person expressed it (`occurred_at`) apart from when Zgoda stored
 * it (`recorded_at`): a paper form signed at the counter last week, or a consent history brought in from another
 * tool, keeps its own time, and history, as-of views, validity and receipts count from it. Every event recorded
 * so far was recorded as it was expressed, so the two are equal for them.
 */
export class ConsentOccurredAt1763800018000 implements MigrationInterface {
  name = 'ConsentOccurredAt1763800018000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_events ADD COLUMN occurred_at timestamptz`);
    // The append-only guard refuses every UPDATE; this one fills the new column and changes no recorded fact,
    // so it is lifted for this statement only, inside the migration's transaction.
    await q.query(`ALTER TABLE consent_events DISABLE TRIGGER consent_events_append_only`);
    await q.query(`UPDATE consent_events SET occurred_at = recorded_at`);
    await q.query(`ALTER TABLE consent_events ENABLE TRIGGER consent_events_append_only`);
    await q.query(`ALTER TABLE consent_events ALTER COLUMN occurred_at SET NOT NULL`);
    // History and as-of views read a subject's events in the order they were expressed.
    await q.query(`CREATE INDEX ix_consent_events_subject_occurred ON consent_events (subject_id, occurred_at, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_consent_events_subject_occurred`);
    await q.query(`ALTER TABLE consent_events DROP COLUMN occurred_at`);
  }
}
