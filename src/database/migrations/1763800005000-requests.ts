import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data-subject requests (Art. 12-22): the requests, one task per data system (Art. 19), the subject's
 * single-use links (hashed), the sealed access packages, the module's signing keys (erasure certificates,
 * OpenGDPR callbacks) and the OpenGDPR processor bookkeeping.
 */
export class Requests1763800005000 implements MigrationInterface {
  name = 'Requests1763800005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE requests (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        status text NOT NULL,
        resolution text,
        resolution_code text,
        resolution_reason_sealed bytea,
        source text NOT NULL,
        subject_id uuid,
        locale text NOT NULL DEFAULT 'pl',
        contact_sealed bytea,
        details_sealed bytea,
        received_at timestamptz NOT NULL,
        verified_at timestamptz,
        due_at timestamptz NOT NULL,
        extension_months integer NOT NULL DEFAULT 0,
        extended_due_at timestamptz,
        extended_at timestamptz,
        extension_reason_sealed bytea,
        completed_at timestamptz,
        duplicate_of uuid,
        deadline_state text NOT NULL DEFAULT 'ok',
        retries integer NOT NULL DEFAULT 0,
        certificate text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_requests_type CHECK (type IN ('access', 'portability', 'erasure', 'rectification', 'restriction', 'objection')),
        CONSTRAINT ck_requests_status CHECK (status IN ('received', 'awaiting_verification', 'verified', 'in_progress', 'awaiting_recipients', 'completed', 'cancelled', 'failed')),
        CONSTRAINT ck_requests_resolution CHECK (resolution IN ('fulfilled', 'partially_fulfilled', 'rejected'))
      )`);
    await q.query(`CREATE INDEX ix_requests_received ON requests (received_at, id)`);
    // Duplicates and "requests of this subject" (erasure hooks, access packages).
    await q.query(`CREATE INDEX ix_requests_subject ON requests (subject_id, type) WHERE subject_id IS NOT NULL`);
    // The deadline sweep, the DPO digest and ?overdue=true look at open requests only.
    await q.query(
      `CREATE INDEX ix_requests_open_due ON requests (due_at) WHERE status NOT IN ('completed', 'cancelled')`,
    );
    // The sweep expires requests still waiting for verification, oldest first.
    await q.query(
      `CREATE INDEX ix_requests_unverified ON requests (created_at) WHERE status = 'awaiting_verification'`,
    );

    await q.query(`
      CREATE TABLE request_tasks (
        id uuid PRIMARY KEY,
        request_id uuid NOT NULL CONSTRAINT fk_request_tasks_request REFERENCES requests (id),
        system_id uuid NOT NULL,
        system_key text NOT NULL,
        system_kind text NOT NULL,
        action text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        generation integer NOT NULL DEFAULT 0,
        last_error text,
        subject_sealed bytea,
        result_sealed bytea,
        retained_reason text,
        retained_until timestamptz,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_request_tasks_status CHECK (status IN ('pending', 'running', 'waiting_callback', 'done', 'failed', 'retained')),
        CONSTRAINT ck_request_tasks_action CHECK (action IN ('access', 'erasure', 'rectification', 'restriction', 'objection'))
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_request_tasks_system ON request_tasks (request_id, system_id)`);

    await q.query(`
      CREATE TABLE request_tokens (
        id uuid PRIMARY KEY,
        request_id uuid NOT NULL CONSTRAINT fk_request_tokens_request REFERENCES requests (id),
        purpose text NOT NULL,
        token_hash char(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_request_tokens_purpose CHECK (purpose IN ('verify', 'status', 'download'))
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_request_tokens_hash ON request_tokens (token_hash)`);
    await q.query(`CREATE INDEX ix_request_tokens_request ON request_tokens (request_id, purpose)`);

    await q.query(`
      CREATE TABLE request_results (
        request_id uuid PRIMARY KEY CONSTRAINT fk_request_results_request REFERENCES requests (id),
        content_type text NOT NULL,
        file_name text NOT NULL,
        content_sealed bytea NOT NULL,
        sha256 char(64) NOT NULL,
        size integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE request_signing_keys (
        id uuid PRIMARY KEY,
        use text NOT NULL,
        alg text NOT NULL,
        public_key text NOT NULL,
        private_key_sealed bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        CONSTRAINT ck_request_signing_keys_use CHECK (use IN ('certificate', 'opengdpr'))
      )`);
    await q.query(
      `CREATE INDEX ix_request_signing_keys_active ON request_signing_keys (use, created_at) WHERE retired_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE opengdpr_requests (
        subject_request_id uuid PRIMARY KEY,
        request_id uuid NOT NULL CONSTRAINT fk_opengdpr_requests_request REFERENCES requests (id),
        controller_id text NOT NULL,
        api_version text NOT NULL,
        status_callback_urls text[] NOT NULL DEFAULT '{}',
        body_sha256 char(64) NOT NULL,
        last_status text NOT NULL DEFAULT 'pending',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_opengdpr_requests_request ON opengdpr_requests (request_id)`);

    await q.query(`
      CREATE TABLE opengdpr_callbacks (
        id uuid PRIMARY KEY,
        subject_request_id uuid NOT NULL CONSTRAINT fk_opengdpr_callbacks_request REFERENCES opengdpr_requests (subject_request_id),
        url text NOT NULL,
        request_status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_opengdpr_callbacks_request ON opengdpr_callbacks (subject_request_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE opengdpr_callbacks`);
    await q.query(`DROP TABLE opengdpr_requests`);
    await q.query(`DROP TABLE request_signing_keys`);
    await q.query(`DROP TABLE request_results`);
    await q.query(`DROP TABLE request_tokens`);
    await q.query(`DROP TABLE request_tasks`);
    await q.query(`DROP TABLE requests`);
  }
}
