import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 25 item 8: every table that grows has a retention. The daily housekeeping deletes delivery logs, spent request
 * links and finished e-mail records by age, in batches; each batch finds its rows through these indexes rather than a
 * scan of the whole table.
 */
export class Housekeeping1763800028000 implements MigrationInterface {
  name = 'Housekeeping1763800028000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_consent_webhook_deliveries_created ON consent_webhook_deliveries (created_at)`);
    await q.query(`CREATE INDEX ix_opengdpr_callbacks_created ON opengdpr_callbacks (created_at)`);
    await q.query(`CREATE INDEX ix_request_tokens_expires ON request_tokens (expires_at)`);
    await q.query(`CREATE INDEX ix_outgoing_emails_created ON outgoing_emails (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_outgoing_emails_created`);
    await q.query(`DROP INDEX ix_request_tokens_expires`);
    await q.query(`DROP INDEX ix_opengdpr_callbacks_created`);
    await q.query(`DROP INDEX ix_consent_webhook_deliveries_created`);
  }
}
