import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 15: retention periods that run from facts other systems know. A data system reports, per
 * subject, the date of the last entry of a kind (medical record, accounting entry: a data category) or of an
 * event (a complaint settled, a contract ended); the latest per kind and system is kept. The complaints
 * policy counts from the settlement.
 */
export class SubjectEntries1763800013000 implements MigrationInterface {
  name = 'SubjectEntries1763800013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subject_entries (
        subject_id uuid NOT NULL,
        kind text NOT NULL,
        system_key text NOT NULL DEFAULT '',
        last_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_subject_entries PRIMARY KEY (subject_id, kind, system_key),
        CONSTRAINT fk_subject_entries_subject FOREIGN KEY (subject_id) REFERENCES subjects (id)
      )`);
    await q.query(`ALTER TABLE retention_policies DROP CONSTRAINT ck_retention_policies_trigger`);
    await q.query(`ALTER TABLE retention_policies ADD CONSTRAINT ck_retention_policies_trigger CHECK ("trigger" IN
      ('last_activity', 'end_of_year_after_last_entry', 'consent_withdrawn', 'contract_ended', 'request_completed',
       'created', 'complaint_settled'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE retention_policies DROP CONSTRAINT ck_retention_policies_trigger`);
    await q.query(`ALTER TABLE retention_policies ADD CONSTRAINT ck_retention_policies_trigger CHECK ("trigger" IN
      ('last_activity', 'end_of_year_after_last_entry', 'consent_withdrawn', 'contract_ended', 'request_completed',
       'created'))`);
    await q.query(`DROP TABLE subject_entries`);
  }
}
