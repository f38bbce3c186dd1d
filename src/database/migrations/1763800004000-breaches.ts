import { MigrationInterface, QueryRunner } from 'typeorm';

/** Breach register (Art. 33(5)): incidents, their history, notifications to UODO, affected subjects. */
export class Breaches1763800004000 implements MigrationInterface {
  name = 'Breaches1763800004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE breaches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        description text NOT NULL,
        occurred_at timestamptz,
        aware_at timestamptz NOT NULL,
        reported_by text NOT NULL,
        data_categories text[] NOT NULL DEFAULT '{}',
        subject_categories text[] NOT NULL DEFAULT '{}',
        systems text[] NOT NULL DEFAULT '{}',
        approx_subjects integer,
        approx_records integer,
        likely_consequences text,
        measures_taken text,
        measures_proposed text,
        risk_assessment text,
        risk_reasoning text,
        status text NOT NULL DEFAULT 'open',
        contained_at timestamptz,
        closed_at timestamptz,
        authority_notified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_breaches_status CHECK (status IN ('open', 'contained', 'notified', 'closed')),
        CONSTRAINT ck_breaches_risk CHECK (risk_assessment IN ('none', 'risk', 'high_risk'))
      )`);
    await q.query(`CREATE INDEX ix_breaches_aware_at ON breaches (aware_at, id)`);
    // The 72-hour clock (metrics, digest, ?overdue=true) only looks at incidents still waiting for UODO.
    await q.query(
      `CREATE INDEX ix_breaches_clock ON breaches (aware_at) WHERE authority_notified_at IS NULL AND status <> 'closed'`,
    );

    await q.query(`
      CREATE TABLE breach_events (
        seq bigserial PRIMARY KEY,
        breach_id uuid NOT NULL CONSTRAINT fk_breach_events_breach REFERENCES breaches (id),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        type text NOT NULL,
        actor_type text NOT NULL,
        actor_id text NOT NULL,
        data jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_breach_events_breach ON breach_events (breach_id, seq)`);

    await q.query(`
      CREATE TABLE breach_authority_notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        breach_id uuid NOT NULL CONSTRAINT fk_breach_authority_notifications_breach REFERENCES breaches (id),
        phase text NOT NULL,
        sent_at timestamptz NOT NULL,
        reference text,
        delay_reasons text,
        late boolean NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_breach_authority_notifications_phase CHECK (phase IN ('initial', 'supplementary', 'final'))
      )`);
    await q.query(
      `CREATE INDEX ix_breach_authority_notifications_breach ON breach_authority_notifications (breach_id, sent_at)`,
    );

    for (const table of ['breach_events', 'breach_authority_notifications']) {
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION zgoda_refuse_change()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION zgoda_refuse_change()`,
      );
    }

    await q.query(`
      CREATE TABLE breach_affected_subjects (
        breach_id uuid NOT NULL CONSTRAINT fk_breach_affected_subjects_breach REFERENCES breaches (id),
        subject_id uuid NOT NULL,
        selected_at timestamptz NOT NULL DEFAULT now(),
        notified_at timestamptz,
        email_id uuid,
        PRIMARY KEY (breach_id, subject_id)
      )`);
    // Art. 34 notices are sent in batches of the subjects still waiting.
    await q.query(
      `CREATE INDEX ix_breach_affected_subjects_pending ON breach_affected_subjects (breach_id, subject_id) WHERE notified_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE breach_digests (
        period_start timestamptz PRIMARY KEY,
        email_id uuid NOT NULL,
        breaches integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE breach_digests`);
    await q.query(`DROP TABLE breach_affected_subjects`);
    await q.query(`DROP TABLE breach_authority_notifications`);
    await q.query(`DROP TABLE breach_events`);
    await q.query(`DROP TABLE breaches`);
  }
}
