import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Subjects (LEGAL item 31: personal data encrypted under a per-subject key, found through keyed blind
 * indexes, crypto-shredded on erasure), their legal holds, the suppression list that outlives erasure,
 * and the registry of data systems with Zgoda's own store seeded as `zgoda`.
 */
export class SubjectsSystems1763800001000 implements MigrationInterface {
  name = 'SubjectsSystems1763800001000';

  async up(q: QueryRunner): Promise<void> {
    // Every *_enc column is AES-256-GCM under the subject's data key, associated data "<id>:<column>".
    // Only non-identifying facts needed without decryption stay in the clear (status, dates, codes).
    await q.query(`
      CREATE TABLE subjects (
        id uuid PRIMARY KEY,
        status text NOT NULL DEFAULT 'active',
        first_name_enc bytea,
        last_name_enc bytea,
        birth_date_enc bytea,
        locale_enc bytea,
        minor_until date,
        restriction_reason text,
        restricted_at timestamptz,
        objected_direct_marketing_at timestamptz,
        objected_purposes text[] NOT NULL DEFAULT '{}',
        merged_into uuid CONSTRAINT fk_subjects_merged_into REFERENCES subjects (id),
        merged_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CONSTRAINT ck_subjects_status CHECK (status IN ('active', 'restricted', 'erased'))
      )`);
    await q.query(`CREATE INDEX ix_subjects_merged_into ON subjects (merged_into) WHERE merged_into IS NOT NULL`);
    // Retention ("inactive for N years") and breach selection scan by activity.
    await q.query(`CREATE INDEX ix_subjects_last_activity ON subjects (last_activity_at)`);

    // A table of its own so erasure is one DELETE, and so operators can give the keys a shorter backup
    // retention than the data (docs/subjects.md, "Keys and backups").
    await q.query(`
      CREATE TABLE subject_keys (
        subject_id uuid PRIMARY KEY CONSTRAINT fk_subject_keys_subject REFERENCES subjects (id),
        wrapped_key bytea NOT NULL,
        key_version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rewrapped_at timestamptz
      )`);

    // system_key is '' for identifiers that belong to no system (e-mail, phone, a bare external id), so
    // one plain unique index covers both uniqueness and lookups by (kind, blind_index).
    await q.query(`
      CREATE TABLE subject_identifiers (
        id uuid PRIMARY KEY,
        subject_id uuid NOT NULL CONSTRAINT fk_subject_identifiers_subject REFERENCES subjects (id),
        kind text NOT NULL,
        system_key text NOT NULL DEFAULT '',
        blind_index bytea NOT NULL,
        value_enc bytea NOT NULL,
        is_primary boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_subject_identifiers_kind CHECK (kind IN ('email', 'phone', 'external_id'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_subject_identifiers_lookup ON subject_identifiers (kind, blind_index, system_key)`,
    );
    await q.query(`CREATE INDEX ix_subject_identifiers_subject ON subject_identifiers (subject_id)`);

    // No subject id: the list must not say whose identifier it was once the person is erased.
    await q.query(`
      CREATE TABLE subject_suppressions (
        kind text NOT NULL,
        hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, hash)
      )`);

    await q.query(`
      CREATE TABLE subject_holds (
        id uuid PRIMARY KEY,
        subject_id uuid NOT NULL CONSTRAINT fk_subject_holds_subject REFERENCES subjects (id),
        reason_enc bytea,
        ends_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        released_at timestamptz,
        released_by text
      )`);
    await q.query(`CREATE INDEX ix_subject_holds_subject ON subject_holds (subject_id, created_at)`);

    await q.query(`
      CREATE TABLE systems (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        description text,
        data_categories text[] NOT NULL DEFAULT '{}',
        purposes text[] NOT NULL DEFAULT '{}',
        processor_name text,
        processor_contact text,
        processor_country char(2),
        transfer_safeguards text,
        webhook_url text,
        webhook_secret bytea,
        webhook_previous_secret bytea,
        webhook_secret_rotated_at timestamptz,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_systems_kind CHECK (kind IN ('webhook', 'manual', 'internal'))
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_systems_key ON systems (key)`);
    // PRODUCT.md 5: Zgoda's own records count as one of the systems that hold personal data.
    await q.query(`
      INSERT INTO systems (key, name, kind, description, data_categories, purposes)
      VALUES ('zgoda', 'Zgoda', 'internal', 'Consent records, data-subject requests and contact data held by Zgoda itself.',
              ARRAY['email', 'phone', 'name', 'birth_date', 'external_ids', 'consent_records', 'request_records'], '{}')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE systems`);
    await q.query(`DROP TABLE subject_holds`);
    await q.query(`DROP TABLE subject_suppressions`);
    await q.query(`DROP TABLE subject_identifiers`);
    await q.query(`DROP TABLE subject_keys`);
    await q.query(`DROP TABLE subjects`);
  }
}
