import 'reflect-metadata';
import { loadEnv } from '../config/load-env';
import { runMigrations } from '../database';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (created when missing). */
runMigrations(loadEnv().DATABASE_URL)
  .then((applied) => {
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
  })
  .catch((e: Error) => {
    process.stderr.write(`migration failed: ${e.message}\n`);
    process.exit(1);
  });
