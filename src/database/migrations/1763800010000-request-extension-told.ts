import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 7, Art. 12(3): an extension is told to the subject. How (e-mail, or a letter, call or visit
 * staff recorded for a subject Zgoda cannot e-mail) and when are kept with the request.
 */
export class RequestExtensionTold1763800010000 implements MigrationInterface {
  name = 'RequestExtensionTold1763800010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests ADD COLUMN extension_told_by text, ADD COLUMN extension_told_at timestamptz`);
    await q.query(`ALTER TABLE requests ADD CONSTRAINT ck_requests_extension_told_by
      CHECK (extension_told_by IN ('email', 'letter', 'phone', 'in_person'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests DROP CONSTRAINT ck_requests_extension_told_by`);
    await q.query(`ALTER TABLE requests DROP COLUMN extension_told_by, DROP COLUMN extension_told_at`);
  }
}
