import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 13 item 10, Art. 20: portability is its own task action for data systems, not an access copy. */
export class PortabilityTask1763800014000 implements MigrationInterface {
  name = 'PortabilityTask1763800014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_tasks DROP CONSTRAINT ck_request_tasks_action`);
    await q.query(`ALTER TABLE request_tasks ADD CONSTRAINT ck_request_tasks_action
      CHECK (action IN ('access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_tasks DROP CONSTRAINT ck_request_tasks_action`);
    await q.query(`ALTER TABLE request_tasks ADD CONSTRAINT ck_request_tasks_action
      CHECK (action IN ('access', 'erasure', 'rectification', 'restriction', 'objection'))`);
  }
}
