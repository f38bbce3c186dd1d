import { MigrationInterface, QueryRunner } from 'typeorm';

/** Outgoing e-mails: queued in the caller's transaction, sent by the worker, sealed until sent. */
export class Notifications1763800003000 implements MigrationInterface {
  name = 'Notifications1763800003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outgoing_emails (
        id uuid PRIMARY KEY,
        template text NOT NULL,
        locale text NOT NULL,
        subject_id uuid,
        recipient bytea,
        model bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        failed_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        message_id text,
        CONSTRAINT ck_outgoing_emails_locale CHECK (locale IN ('pl', 'en'))
      )`);
    // Erasure and "what did we send this person" look e-mails up by subject.
    await q.query(
      `CREATE INDEX ix_outgoing_emails_subject ON outgoing_emails (subject_id) WHERE subject_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outgoing_emails`);
  }
}
