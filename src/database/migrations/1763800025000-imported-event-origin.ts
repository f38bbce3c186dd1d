import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 1: an imported event names its import and row, so its proof can show the audit entry of the batch
 * that wrote it (an import audits once per batch, not once per row).
 */
export class ImportedEventOrigin1763800025000 implements MigrationInterface {
  name = 'ImportedEventOrigin1763800025000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_events ADD COLUMN import_id uuid, ADD COLUMN import_row int`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_events DROP COLUMN import_row, DROP COLUMN import_id`);
  }
}
