import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (LEGAL items 24-26): versioned policies, runs that enforce them batch by batch, the per-subject
 * log that makes a run exactly-once, and review tasks for data a person must decide about.
 */
export class Retention1763800006000 implements MigrationInterface {
  name = 'Retention1763800006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE retention_policies (
        id uuid PRIMARY KEY,
        key text NOT NULL,
        data_category text,
        purpose_key text,
        system_key text,
        "trigger" text NOT NULL,
        period text NOT NULL,
        round_to_year_end boolean NOT NULL DEFAULT false,
        action text NOT NULL,
        legal_basis text NOT NULL,
        owner text,
        active boolean NOT NULL DEFAULT true,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_retention_policies_scope CHECK ((data_category IS NULL) <> (purpose_key IS NULL)),
        CONSTRAINT ck_retention_policies_trigger CHECK ("trigger" IN ('last_activity', 'end_of_year_after_last_entry',
          'consent_withdrawn', 'contract_ended', 'request_completed', 'created')),
        CONSTRAINT ck_retention_policies_action CHECK (action IN ('erase', 'anonymise', 'review'))
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_retention_policies_key ON retention_policies (key)`);

    await q.query(`
      CREATE TABLE retention_policy_versions (
        policy_id uuid NOT NULL CONSTRAINT fk_retention_policy_versions_policy REFERENCES retention_policies (id),
        version int NOT NULL,
        snapshot jsonb NOT NULL,
        changed_fields text[] NOT NULL,
        changed_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (policy_id, version)
      )`);
    // Which rule was enforced when must stay provable (Art. 5(2)): versions are never rewritten.
    await q.query(
      `CREATE TRIGGER retention_policy_versions_append_only BEFORE UPDATE OR DELETE ON retention_policy_versions FOR EACH ROW EXECUTE FUNCTION zgoda_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER retention_policy_versions_no_truncate BEFORE TRUNCATE ON retention_policy_versions FOR EACH STATEMENT EXECUTE FUNCTION zgoda_refuse_change()`,
    );

    await q.query(`
      CREATE TABLE retention_runs (
        id uuid PRIMARY KEY,
        status text NOT NULL,
        dry_run boolean NOT NULL,
        policy_key text,
        source text NOT NULL,
        source_key text,
        requested_by text NOT NULL,
        as_of timestamptz NOT NULL,
        policies jsonb NOT NULL,
        cursor uuid,
        batches int NOT NULL DEFAULT 0,
        scanned int NOT NULL DEFAULT 0,
        matched int NOT NULL DEFAULT 0,
        processed int NOT NULL DEFAULT 0,
        failed int NOT NULL DEFAULT 0,
        skipped_legal_hold int NOT NULL DEFAULT 0,
        skipped_open_request int NOT NULL DEFAULT 0,
        skipped_restricted int NOT NULL DEFAULT 0,
        skipped_active_consent int NOT NULL DEFAULT 0,
        skipped_retained int NOT NULL DEFAULT 0,
        skipped_review_exists int NOT NULL DEFAULT 0,
        by_policy jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_retention_runs_status CHECK (status IN ('queued', 'running', 'completed', 'cancelled')),
        CONSTRAINT ck_retention_runs_source CHECK (source IN ('api', 'schedule'))
      )`);
    await q.query(`CREATE INDEX ix_retention_runs_created ON retention_runs (created_at, id)`);
    await q.query(`CREATE UNIQUE INDEX ux_retention_runs_source_key ON retention_runs (source_key)`);
    // LEGAL item 25 and a race: two runs at once would judge the same subjects twice. The service checks
    // under an advisory lock; this makes the database refuse a second active run whatever the code does.
    await q.query(
      `CREATE UNIQUE INDEX ux_retention_runs_one_active ON retention_runs ((true)) WHERE status IN ('queued', 'running')`,
    );

    await q.query(`
      CREATE TABLE retention_run_items (
        run_id uuid NOT NULL CONSTRAINT fk_retention_run_items_run REFERENCES retention_runs (id),
        subject_id uuid NOT NULL,
        policy_key text NOT NULL,
        outcome text NOT NULL,
        batch int NOT NULL,
        PRIMARY KEY (run_id, subject_id, policy_key),
        CONSTRAINT ck_retention_run_items_outcome CHECK (outcome IN ('erased', 'anonymised', 'review_created',
          'superseded', 'would_erase', 'would_anonymise', 'would_review', 'legal_hold', 'open_request', 'restricted',
          'active_consent', 'retained', 'review_exists', 'failed'))
      )`);
    // Each batch totals its own items when it commits; without this that is a scan of the whole run.
    await q.query(`CREATE INDEX ix_retention_run_items_batch ON retention_run_items (run_id, batch)`);

    await q.query(`
      CREATE TABLE retention_review_tasks (
        id uuid PRIMARY KEY,
        subject_id uuid NOT NULL,
        policy_key text NOT NULL,
        policy_version int NOT NULL,
        run_id uuid NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open',
        resolution text,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolved_by text,
        CONSTRAINT ck_retention_review_tasks_status CHECK (status IN ('open', 'resolved')),
        CONSTRAINT ck_retention_review_tasks_resolution CHECK (resolution IS NULL OR resolution IN ('kept', 'destroyed'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_retention_review_tasks_subject_policy ON retention_review_tasks (subject_id, policy_key)`,
    );
    await q.query(`CREATE INDEX ix_retention_review_tasks_status ON retention_review_tasks (status, created_at, id)`);

    await q.query(`
      CREATE TABLE retention_system_notices (
        id uuid PRIMARY KEY,
        run_id uuid NOT NULL CONSTRAINT fk_retention_system_notices_run REFERENCES retention_runs (id),
        subject_id uuid NOT NULL,
        policy_key text NOT NULL,
        action text NOT NULL,
        system_id uuid NOT NULL,
        system_key text NOT NULL,
        system_kind text NOT NULL,
        subject_sealed bytea,
        status text NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT ck_retention_system_notices_action CHECK (action IN ('erase', 'anonymise')),
        CONSTRAINT ck_retention_system_notices_status CHECK (status IN ('pending', 'sent', 'failed', 'manual'))
      )`);
    // One notice per subject and system in a run, whatever number of policies fell due at once.
    await q.query(
      `CREATE UNIQUE INDEX ux_retention_system_notices_subject ON retention_system_notices (run_id, subject_id, system_key)`,
    );

    await q.query(`
      CREATE TABLE retention_consent_expiries (
        event_id uuid PRIMARY KEY,
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        channel text NOT NULL,
        expires_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE retention_consent_expiries`);
    await q.query(`DROP TABLE retention_system_notices`);
    await q.query(`DROP TABLE retention_review_tasks`);
    await q.query(`DROP TABLE retention_run_items`);
    await q.query(`DROP TABLE retention_runs`);
    await q.query(`DROP TABLE retention_policy_versions`);
    await q.query(`DROP TABLE retention_policies`);
  }
}
