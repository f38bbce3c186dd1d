import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 1: a text a company's customers agreed to before Zgoda, brought in with an import, is kept as a
 * version of its own, frozen like any other and marked `imported`. Imported versions are numbered 0, -1, -2 ...
 * (below every version written in Zgoda), so a re-consent requirement from a Zgoda version also covers them.
 */
export class ImportedTexts1763800023000 implements MigrationInterface {
  name = 'ImportedTexts1763800023000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_texts ADD COLUMN imported boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_texts DROP COLUMN imported`);
  }
}
