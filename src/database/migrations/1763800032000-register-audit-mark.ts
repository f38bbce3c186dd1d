import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16: audit entries are no longer numbered in commit order (`seq` comes from a sequence, without the lock that
 * serialised every audited write), so "changes since a sign-off" can no longer be `seq > the sign-off's seq`: a change
 * numbered before the sign-off may commit after it. A sign-off now keeps the database snapshot it was taken in
 * (`audit_mark`), and the changes since it are the entries that snapshot could not see. Older versions keep their
 * seq, which was exact under the lock.
 */
export class RegisterAuditMark1763800032000 implements MigrationInterface {
  name = 'RegisterAuditMark1763800032000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE register_versions ADD COLUMN audit_mark text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE register_versions DROP COLUMN audit_mark`);
  }
}
