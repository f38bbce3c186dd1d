import { MigrationInterface, QueryRunner } from 'typeorm';

export class Consent1763800002000 implements MigrationInterface {
  name = 'Consent1763800002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE purposes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL,
        name text NOT NULL,
        description text,
        legal_basis text NOT NULL,
        special_category_basis text,
        data_categories text[] NOT NULL,
        subject_categories text[] NOT NULL,
        recipients text[] NOT NULL,
        processors text[] NOT NULL,
        transfers text[] NOT NULL,
        channels text[] NOT NULL,
        minimum_age int NOT NULL,
        validity_days int,
        double_opt_in boolean NOT NULL,
        marketing boolean NOT NULL,
        sale_or_sharing boolean NOT NULL,
        retention text,
        current_version int,
        reconsent_from_version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_purposes_key ON purposes (key)`);

    await q.query(`
      CREATE TABLE consent_texts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        purpose_key text NOT NULL,
        version int NOT NULL,
        locale text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        rendered text,
        sha256 char(64),
        requires_reconsent boolean NOT NULL,
        published_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_consent_texts_version_locale ON consent_texts (purpose_key, version, locale)`,
    );
    // Art. 7(1): the controller must be able to show exactly what was agreed to, so a published text is
    // frozen here as well as in code: no UPDATE or DELETE of a published row, no new locale in a published
    // version, no TRUNCATE. A change is a new version.
    await q.query(`
      CREATE FUNCTION zgoda_consent_texts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF EXISTS (SELECT 1 FROM consent_texts
                      WHERE purpose_key = NEW.purpose_key AND version = NEW.version AND published_at IS NOT NULL) THEN
            RAISE EXCEPTION 'consent text version % of % is published', NEW.version, NEW.purpose_key
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END IF;
        IF OLD.published_at IS NOT NULL THEN
          RAISE EXCEPTION 'consent text version % of % is published: % refused', OLD.version, OLD.purpose_key, TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER consent_texts_published_frozen BEFORE INSERT OR UPDATE OR DELETE ON consent_texts FOR EACH ROW EXECUTE FUNCTION zgoda_consent_texts_guard()`,
    );
    await q.query(
      `CREATE TRIGGER consent_texts_no_truncate BEFORE TRUNCATE ON consent_texts FOR EACH STATEMENT EXECUTE FUNCTION zgoda_refuse_change()`,
    );

    await q.query(`
      CREATE TABLE consent_events (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL,
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        channel text NOT NULL,
        decision text NOT NULL,
        reason text,
        version int NOT NULL,
        locale text NOT NULL,
        text_sha256 char(64) NOT NULL,
        pending boolean NOT NULL,
        confirms_event_id uuid,
        recorded_at timestamptz NOT NULL,
        expires_at timestamptz,
        source_method text NOT NULL,
        source_location text,
        source_staff_id text,
        expressed_by text NOT NULL,
        gpc boolean NOT NULL,
        suppressed boolean NOT NULL,
        evidence_sha256 char(64),
        receipt text
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_consent_events_id ON consent_events (id)`);
    await q.query(`CREATE INDEX ix_consent_events_subject ON consent_events (subject_id, seq)`);
    // LEGAL items 2 and 5: consent records are append-only, so any past state can be reconstructed.
    await q.query(
      `CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events FOR EACH ROW EXECUTE FUNCTION zgoda_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER consent_events_no_truncate BEFORE TRUNCATE ON consent_events FOR EACH STATEMENT EXECUTE FUNCTION zgoda_refuse_change()`,
    );

    // Evidence (IP address, user agent) is personal data: sealed, and kept apart from the immutable event
    // (which holds its hash) so that erasure can destroy it without touching the append-only log.
    await q.query(`
      CREATE TABLE consent_evidence (
        event_id uuid PRIMARY KEY,
        subject_id uuid NOT NULL,
        sealed bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_consent_evidence_subject ON consent_evidence (subject_id)`);

    await q.query(`
      CREATE TABLE consent_state (
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        channel text NOT NULL,
        status text NOT NULL,
        event_id uuid NOT NULL,
        last_seq bigint NOT NULL,
        version int NOT NULL,
        locale text NOT NULL,
        text_sha256 char(64) NOT NULL,
        granted_at timestamptz,
        confirmed_at timestamptz,
        expires_at timestamptz,
        pending boolean NOT NULL,
        expressed_by text NOT NULL,
        suppressed boolean NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (subject_id, purpose_key, channel)
      )`);
    // The audience stream walks this in subject order, one purpose and channel at a time.
    await q.query(
      `CREATE INDEX ix_consent_state_audience ON consent_state (purpose_key, channel, subject_id) WHERE status = 'granted'`,
    );

    await q.query(`
      CREATE TABLE receipt_signing_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_key_sealed bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE consent_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL,
        secret_sealed bytea NOT NULL,
        purposes text[],
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE consent_webhook_deliveries (
        subscription_id uuid NOT NULL,
        event_id uuid NOT NULL,
        attempts int NOT NULL,
        last_status int,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subscription_id, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE consent_webhook_deliveries`);
    await q.query(`DROP TABLE consent_subscriptions`);
    await q.query(`DROP TABLE receipt_signing_keys`);
    await q.query(`DROP TABLE consent_state`);
    await q.query(`DROP TABLE consent_evidence`);
    await q.query(`DROP TABLE consent_events`);
    await q.query(`DROP TABLE consent_texts`);
    await q.query(`DROP FUNCTION zgoda_consent_texts_guard()`);
    await q.query(`DROP TABLE purposes`);
  }
}
