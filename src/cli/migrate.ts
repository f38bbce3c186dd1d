import 'reflect-metadata';
import { loadEnv } from '../config/load-env';
import { runMigrations } from '../database';

const env = loadEnv();

/**
 * `npm run migration:run`: applies pending migrations as the owner (DATABASE_MIGRATION_URL, or DATABASE_URL when it is
 * the only one; the database is created when missing), then grants the runtime role its privileges.
 */
runMigrations(env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL, env.DATABASE_RUNTIME_ROLE)
  .then((applied) => {
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
  })
  .catch((e: Error) => {
    process.stderr.write(`migration failed: ${e.message}\n`);
    process.exit(1);
  });
