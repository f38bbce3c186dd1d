import { MigrationInterface, QueryRunner } from 'typeorm';

export class Platform1763800000000 implements MigrationInterface {
  name = 'Platform1763800000000';

  async up(q: QueryRunner): Promise<void> {
    // Append-only tables call this from BEFORE UPDATE/DELETE/TRUNCATE triggers (audit log, consent events).
    await q.query(`
      CREATE FUNCTION zgoda_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash bytea NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_by text
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_api_keys_key_hash ON api_keys (key_hash)`);

    await q.query(`
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_type text NOT NULL,
        actor_id text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        subject_id uuid,
        reason text,
        correlation_id text,
        data jsonb,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_audit_log_subject ON audit_log (subject_id, seq)`);
    await q.query(`CREATE INDEX ix_audit_log_action ON audit_log (action, seq)`);
    await q.query(`CREATE INDEX ix_audit_log_target ON audit_log (target_type, target_id)`);
    await q.query(
      `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION zgoda_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION zgoda_refuse_change()`,
    );

    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        queue text NOT NULL,
        name text NOT NULL,
        payload jsonb NOT NULL,
        job_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        available_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        completed_at timestamptz,
        dead_at timestamptz,
        redrives int NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_outbox_job_id ON outbox (job_id)`);
    await q.query(`CREATE INDEX ix_outbox_unsent ON outbox (id) WHERE sent_at IS NULL`);
    await q.query(
      `CREATE INDEX ix_outbox_incomplete ON outbox (sent_at) WHERE sent_at IS NOT NULL AND completed_at IS NULL AND dead_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE idempotency_keys (
        principal_id text NOT NULL,
        key text NOT NULL,
        route text NOT NULL,
        request_hash char(64) NOT NULL,
        response_status int,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP FUNCTION zgoda_refuse_change()`);
  }
}
