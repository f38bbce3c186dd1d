import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 item 2: an audit append is one INSERT in the writer's own transaction, with no lock shared by unrelated
 * writers. `seq` comes from a sequence (unique, not in commit order) and `tx` records the writing transaction, so the
 * sequencer in the worker can seal entries in an order no later commit can change: every row whose transaction is
 * below the oldest still running one (`pg_snapshot_xmin`), by (tx, seq). Sealed entries become the leaves of an
 * RFC 9162 Merkle tree (`audit_leaves`, append-only); `audit_tree` keeps its right edge so sealing never rereads them.
 *
 * Rows written before this migration keep their hash chain (verified as before) and get tx = 1, below any real
 * transaction id: the sequencer seals them first, in their chain order.
 */
export class AuditMerkle1763800030000 implements MigrationInterface {
  name = 'AuditMerkle1763800030000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE audit_log_seq_seq OWNED BY audit_log.seq`);
    await q.query(`SELECT setval('audit_log_seq_seq', COALESCE((SELECT max(seq) FROM audit_log), 0) + 1, false)`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq_seq')`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL`);
    // A constant default fills the existing rows without rewriting them (and without firing the UPDATE trigger). The
    // full 64-bit transaction id (epoch and xid, as xid8) fits a bigint, a type TypeORM can describe.
    await q.query(`ALTER TABLE audit_log ADD COLUMN tx bigint NOT NULL DEFAULT 1`);
    await q.query(
      `CREATE FUNCTION zgoda_current_tx() RETURNS bigint LANGUAGE sql AS $$ SELECT pg_current_xact_id()::text::bigint $$`,
    );
    await q.query(`ALTER TABLE audit_log ALTER COLUMN tx SET DEFAULT zgoda_current_tx()`);
    await q.query(`CREATE INDEX ix_audit_log_tx ON audit_log (tx, seq)`);
    await q.query(`
      CREATE TABLE audit_leaves (
        position bigint PRIMARY KEY,
        seq bigint NOT NULL,
        leaf_hash bytea NOT NULL,
        sealed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_audit_leaves_seq ON audit_leaves (seq)`);
    await q.query(`ALTER TABLE audit_leaves ADD CONSTRAINT ck_audit_leaves_position CHECK (position >= 0)`);
    await q.query(`ALTER TABLE audit_leaves ADD CONSTRAINT ck_audit_leaves_hash CHECK (length(leaf_hash) = 32)`);
    await q.query(
      `CREATE TRIGGER audit_leaves_append_only BEFORE UPDATE OR DELETE ON audit_leaves FOR EACH ROW EXECUTE FUNCTION zgoda_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER audit_leaves_no_truncate BEFORE TRUNCATE ON audit_leaves FOR EACH STATEMENT EXECUTE FUNCTION zgoda_refuse_change()`,
    );
    await q.query(`
      CREATE TABLE audit_tree (
        id smallint PRIMARY KEY CONSTRAINT ck_audit_tree_one CHECK (id = 1),
        size bigint NOT NULL,
        last_tx bigint,
        last_seq bigint,
        frontier bytea[] NOT NULL,
        root bytea NOT NULL,
        sealed_at timestamptz
      )`);
    await q.query(`INSERT INTO audit_tree (id, size, frontier, root) VALUES (1, 0, '{}', sha256(''::bytea))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_tree`);
    await q.query(`DROP TABLE audit_leaves`);
    await q.query(`DROP INDEX ix_audit_log_tx`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN tx`);
    await q.query(`DROP FUNCTION zgoda_current_tx()`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN seq DROP DEFAULT`);
    await q.query(`DROP SEQUENCE audit_log_seq_seq`);
  }
}
