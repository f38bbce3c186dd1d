import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 item 2: signed checkpoints of the audit tree. The worker signs `{treeSize, rootHash, issuedAt}` with the
 * audit module's Ed25519 key (JWS) and exports each checkpoint outside the database (AUDIT_CHECKPOINT_DIR): a copy
 * kept there proves a later truncation or rewrite of the log, which the database alone cannot.
 */
export class AuditCheckpoints1763800031000 implements MigrationInterface {
  name = 'AuditCheckpoints1763800031000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_signing_keys (
        id uuid PRIMARY KEY,
        alg text NOT NULL,
        public_key text NOT NULL,
        private_key_sealed bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE audit_checkpoints (
        tree_size bigint PRIMARY KEY,
        root_hash bytea NOT NULL,
        issued_at timestamptz NOT NULL,
        kid uuid NOT NULL,
        jws text NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_audit_checkpoints_issued ON audit_checkpoints (issued_at)`);
    await q.query(
      `CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION zgoda_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION zgoda_refuse_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoints`);
    await q.query(`DROP TABLE audit_signing_keys`);
  }
}
