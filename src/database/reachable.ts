import { Client } from 'pg';
import { ensureDatabase } from './database.options';

/** Creates the database when missing, then opens and closes one connection; throws when PostgreSQL is unreachable. */
export async function checkDatabaseReachable(url: string): Promise<void> {
  await ensureDatabase(url);
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  await c.end();
}
