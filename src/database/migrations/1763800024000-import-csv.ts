import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 14 item 1: an import may be CSV, read through a mapping of its columns (and values) to row fields. */
export class ImportCsv1763800024000 implements MigrationInterface {
  name = 'ImportCsv1763800024000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consent_imports
        ADD COLUMN mapping jsonb,
        DROP CONSTRAINT ck_consent_imports_format,
        ADD CONSTRAINT ck_consent_imports_format CHECK (format IN ('ndjson', 'csv'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consent_imports
        DROP CONSTRAINT ck_consent_imports_format,
        ADD CONSTRAINT ck_consent_imports_format CHECK (format IN ('ndjson')),
        DROP COLUMN mapping`);
  }
}
