import { MigrationInterface, QueryRunner } from 'typeorm';

/** Staff users of the console (PRODUCT.md 11). Sessions and lockout counters live in Redis. */
export class Users1763800008000 implements MigrationInterface {
  name = 'Users1763800008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE staff_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email_index bytea NOT NULL,
        email_sealed bytea NOT NULL,
        role text NOT NULL,
        password_hash text NOT NULL,
        password_changed_at timestamptz NOT NULL,
        totp_secret_sealed bytea,
        totp_enabled_at timestamptz,
        last_login_at timestamptz,
        disabled_at timestamptz,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_staff_users_role CHECK (role IN ('admin', 'dpo', 'staff', 'marketing'))
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_staff_users_email_index ON staff_users (email_index)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE staff_users`);
  }
}
