import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 1: whether a data system found the person. A request that matched nobody must say "no data
 * found", distinctly from "erased"; null is a system that did not say.
 */
export class RequestTaskFound1763800009000 implements MigrationInterface {
  name = 'RequestTaskFound1763800009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_tasks ADD COLUMN found boolean`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_tasks DROP COLUMN found`);
  }
}
