import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 3: the decision log. A company proves it checked before it sent: a decision asked for with
 * `record` (or by a key that records always) is stored before it is answered, by id. A batch keeps its
 * counts and one result row per input position; no identifier the caller sent is kept, only subject ids.
 */
export class DecisionLog1763800019000 implements MigrationInterface {
  name = 'DecisionLog1763800019000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent_decisions (
        id uuid PRIMARY KEY,
        decided_at timestamptz NOT NULL,
        principal text NOT NULL,
        purpose_key text NOT NULL,
        channel text NOT NULL,
        kind text NOT NULL,
        subject_id uuid,
        allowed boolean,
        reason text,
        consent_event_id uuid,
        total int NOT NULL,
        allowed_count int NOT NULL,
        CONSTRAINT ck_consent_decisions_kind CHECK (kind IN ('single', 'batch'))
      )`);
    await q.query(`CREATE INDEX ix_consent_decisions_decided ON consent_decisions (decided_at)`);
    await q.query(`
      CREATE TABLE consent_decision_results (
        decision_id uuid NOT NULL CONSTRAINT fk_consent_decision_results_decision
          REFERENCES consent_decisions (id) ON DELETE CASCADE,
        n int NOT NULL,
        subject_id uuid,
        allowed boolean NOT NULL,
        reason text NOT NULL,
        consent_event_id uuid,
        PRIMARY KEY (decision_id, n)
      )`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN record_decisions boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN record_decisions`);
    await q.query(`DROP TABLE consent_decision_results`);
    await q.query(`DROP TABLE consent_decisions`);
  }
}
