import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 4, Art. 18(3): a restriction is lifted only after the subject was told. The notice being sent
 * is kept on the subject; the restriction ends in the transaction that marks that e-mail sent.
 */
export class RestrictionLiftNotice1763800011000 implements MigrationInterface {
  name = 'RestrictionLiftNotice1763800011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE subjects ADD COLUMN restriction_lift_notice_id uuid, ADD COLUMN restriction_lift_requested_at timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE subjects DROP COLUMN restriction_lift_notice_id, DROP COLUMN restriction_lift_requested_at`,
    );
  }
}
