import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 5, Art. 21(1): an objection to named purposes stops them at once; the controller then assesses
 * it. The outcome (upheld, or compelling legitimate grounds that override it), its reasons (sealed) and how the
 * subject was told are kept with the objection request.
 */
export class ObjectionAssessment1763800012000 implements MigrationInterface {
  name = 'ObjectionAssessment1763800012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests
      ADD COLUMN assessment_outcome text,
      ADD COLUMN assessed_at timestamptz,
      ADD COLUMN assessment_reasons_sealed bytea,
      ADD COLUMN assessment_told_by text,
      ADD COLUMN assessment_told_at timestamptz`);
    await q.query(`ALTER TABLE requests
      ADD CONSTRAINT ck_requests_assessment_outcome CHECK (assessment_outcome IN ('upheld', 'compelling_grounds')),
      ADD CONSTRAINT ck_requests_assessment_told_by
        CHECK (assessment_told_by IN ('email', 'letter', 'phone', 'in_person'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests
      DROP CONSTRAINT ck_requests_assessment_outcome, DROP CONSTRAINT ck_requests_assessment_told_by,
      DROP COLUMN assessment_outcome, DROP COLUMN assessed_at, DROP COLUMN assessment_reasons_sealed,
      DROP COLUMN assessment_told_by, DROP COLUMN assessment_told_at`);
  }
}
