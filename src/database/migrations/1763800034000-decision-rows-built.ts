import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 item 1: the answer's own `validUntil` beside the row's, and whether every consent state has its decision
 * rows. A row's `valid_until` also counts another channel's grant's expiry (when the row must be decided again),
 * which a check decided without the row does not print; the rows written before this column are dropped, to be
 * built again by `npm run decisions:rebuild` (checks decide from the states meanwhile, with the same answers).
 *
 * Whether every consent state has its decision rows: The audience reads the rows alone (not the
 * states beside them) only once they are complete: from the start on a new installation, whose every change keeps
 * them, and on one upgraded with states already recorded once `npm run decisions:rebuild` has passed them all.
 */
export class DecisionRowsBuilt1763800034000 implements MigrationInterface {
  name = 'DecisionRowsBuilt1763800034000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM decision_rows`);
    await q.query(`ALTER TABLE decision_rows ADD COLUMN answer_valid_until timestamptz`);
    await q.query(`
      CREATE TABLE decision_rows_built (
        only_row boolean PRIMARY KEY DEFAULT true CONSTRAINT ck_decision_rows_built_only CHECK (only_row),
        built_at timestamptz NOT NULL DEFAULT now()
      )`);
    // No state yet, so no row is missing; the rows table came with the previous migration.
    await q.query(
      `INSERT INTO decision_rows_built (only_row) SELECT true WHERE NOT EXISTS (SELECT 1 FROM consent_state)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE decision_rows_built`);
    await q.query(`ALTER TABLE decision_rows DROP COLUMN answer_valid_until`);
  }
}
