import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { runMigrations } from '../../src/database/migrate';
import { dbUrl, logDir, templateDb } from './test-env';

/** Once per run: a migrated template database that every test file clones, and a folder for logs. */
export default async function globalSetup(): Promise<void> {
  process.env.ZGODA_TEST_RUN ??= `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  mkdirSync(logDir(), { recursive: true });
  await runMigrations(dbUrl(templateDb()));
}
