import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 2: a consent subscription may take change-feed `types`; it then receives those changes in feed
 * order, and `feed_cursor` is the last one it acknowledged (a failed delivery is retried before anything after it).
 */
export class FeedSubscriptions1763800021000 implements MigrationInterface {
  name = 'FeedSubscriptions1763800021000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_subscriptions ADD COLUMN types text[], ADD COLUMN feed_cursor text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_subscriptions DROP COLUMN feed_cursor, DROP COLUMN types`);
  }
}
