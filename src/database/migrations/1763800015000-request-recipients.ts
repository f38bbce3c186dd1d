import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 11, Art. 19: recipients named on the subject's purposes that are not registered data systems
 * are told by staff; the request keeps the list and when each was told.
 */
export class RequestRecipients1763800015000 implements MigrationInterface {
  name = 'RequestRecipients1763800015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests ADD COLUMN recipients jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests DROP COLUMN recipients`);
  }
}
