import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Register of processing activities (Art. 30, LEGAL items 28-30): the controller block, per-activity
 * details the purposes do not hold, and the versions the DPO signed off.
 */
export class Register1763800007000 implements MigrationInterface {
  name = 'Register1763800007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE controller_settings (
        id smallint PRIMARY KEY,
        name text,
        address text,
        contact text,
        dpo_name text,
        dpo_contact text,
        representative jsonb,
        joint_controllers jsonb NOT NULL DEFAULT '[]',
        processor_clients jsonb NOT NULL DEFAULT '[]',
        security_measures_pl text,
        security_measures_en text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        CONSTRAINT ck_controller_settings_singleton CHECK (id = 1)
      )`);

    await q.query(`
      CREATE TABLE register_activity_details (
        purpose_key text PRIMARY KEY,
        organisational_unit text,
        data_source text,
        dpia_reference text,
        security_measures text,
        transfer_documentation text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);

    await q.query(`
      CREATE TABLE register_versions (
        role text NOT NULL,
        version int NOT NULL,
        snapshot jsonb NOT NULL,
        sha256 char(64) NOT NULL,
        note text,
        signed_off_by text NOT NULL,
        signed_off_at timestamptz NOT NULL,
        audit_seq bigint NOT NULL,
        PRIMARY KEY (role, version),
        CONSTRAINT ck_register_versions_role CHECK (role IN ('controller', 'processor'))
      )`);
    // What the DPO signed must stay provable (Art. 5(2)): a sign-off is never rewritten.
    await q.query(
      `CREATE TRIGGER register_versions_append_only BEFORE UPDATE OR DELETE ON register_versions FOR EACH ROW EXECUTE FUNCTION zgoda_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER register_versions_no_truncate BEFORE TRUNCATE ON register_versions FOR EACH STATEMENT EXECUTE FUNCTION zgoda_refuse_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE register_versions`);
    await q.query(`DROP TABLE register_activity_details`);
    await q.query(`DROP TABLE controller_settings`);
  }
}
