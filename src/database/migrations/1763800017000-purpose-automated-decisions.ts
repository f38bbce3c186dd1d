import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 9, Art. 15(1)(h) and 22: whether a purpose involves automated decision-making, described by the
 * controller (the logic involved, its significance and envisaged consequences); null: none. The access report
 * states it per purpose instead of a fixed sentence.
 */
export class PurposeAutomatedDecisions1763800017000 implements MigrationInterface {
  name = 'PurposeAutomatedDecisions1763800017000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purposes ADD COLUMN automated_decisions text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purposes DROP COLUMN automated_decisions`);
  }
}
