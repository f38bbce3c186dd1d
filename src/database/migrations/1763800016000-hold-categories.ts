import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 3, Art. 17(3)(b), (e): a legal hold names the data categories it keeps (none: everything, as
 * before) and the Art. 17(3) ground it rests on. An erasure task records the system's data categories when it
 * was planned and the ones kept under a hold, so the certificate can say what happened per category; an
 * erasure that finishes what a hold kept names the request it follows.
 */
export class HoldCategories1763800016000 implements MigrationInterface {
  name = 'HoldCategories1763800016000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE subject_holds
        ADD COLUMN categories text[] NOT NULL DEFAULT '{}',
        ADD COLUMN legal_basis text,
        ADD CONSTRAINT ck_subject_holds_legal_basis CHECK (legal_basis IN (
          'freedom_of_expression', 'legal_obligation', 'public_health', 'archiving_research', 'legal_claims'))`);
    await q.query(`
      ALTER TABLE request_tasks
        ADD COLUMN categories text[] NOT NULL DEFAULT '{}',
        ADD COLUMN retained_categories jsonb`);
    // The sweep that finishes held erasures reads only these.
    await q.query(`
      CREATE INDEX ix_request_tasks_held ON request_tasks (request_id)
       WHERE status = 'retained' AND retained_reason = 'legal_hold'`);
    await q.query(
      `ALTER TABLE requests ADD COLUMN follows uuid CONSTRAINT fk_requests_follows REFERENCES requests (id)`,
    );
    // One follow-up per erasure, however many sweeps see the hold ended.
    await q.query(`CREATE UNIQUE INDEX ux_requests_follows ON requests (follows) WHERE follows IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ux_requests_follows`);
    await q.query(`DROP INDEX ix_request_tasks_held`);
    await q.query(`ALTER TABLE requests DROP COLUMN follows`);
    await q.query(`
      ALTER TABLE request_tasks DROP COLUMN retained_categories, DROP COLUMN categories`);
    await q.query(`
      ALTER TABLE subject_holds DROP CONSTRAINT ck_subject_holds_legal_basis, DROP COLUMN legal_basis,
        DROP COLUMN categories`);
  }
}
