import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 1: bulk import of an existing consent history. An import is a job: its file is stored in chunks
 * (never whole in memory), its rows are worked off by the worker with progress counters, row errors name the row,
 * field and code (never the value). An imported event carries its row identity (`import_key`), unique, so the
 * same file imports nothing twice.
 */
export class ConsentImports1763800022000 implements MigrationInterface {
  name = 'ConsentImports1763800022000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent_imports (
        id uuid PRIMARY KEY,
        format text NOT NULL,
        status text NOT NULL,
        dry_run boolean NOT NULL,
        defaults jsonb NOT NULL DEFAULT '{}',
        size bigint,
        rows_read int NOT NULL DEFAULT 0,
        rows_imported int NOT NULL DEFAULT 0,
        rows_skipped int NOT NULL DEFAULT 0,
        rows_failed int NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT ck_consent_imports_format CHECK (format IN ('ndjson')),
        CONSTRAINT ck_consent_imports_status CHECK (status IN ('awaiting_file', 'queued', 'running', 'completed', 'failed', 'cancelled'))
      )`);
    await q.query(`
      CREATE TABLE consent_import_chunks (
        import_id uuid NOT NULL CONSTRAINT fk_consent_import_chunks_import REFERENCES consent_imports (id) ON DELETE CASCADE,
        n int NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (import_id, n)
      )`);
    await q.query(`
      CREATE TABLE consent_import_errors (
        import_id uuid NOT NULL CONSTRAINT fk_consent_import_errors_import REFERENCES consent_imports (id) ON DELETE CASCADE,
        row_number int NOT NULL,
        field text NOT NULL,
        code text NOT NULL,
        message text NOT NULL,
        PRIMARY KEY (import_id, row_number, field)
      )`);
    await q.query(`ALTER TABLE consent_events ADD COLUMN import_key text`);
    await q.query(
      `CREATE UNIQUE INDEX ux_consent_events_import_key ON consent_events (import_key) WHERE import_key IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ux_consent_events_import_key`);
    await q.query(`ALTER TABLE consent_events DROP COLUMN import_key`);
    await q.query(`DROP TABLE consent_import_errors`);
    await q.query(`DROP TABLE consent_import_chunks`);
    await q.query(`DROP TABLE consent_imports`);
  }
}
