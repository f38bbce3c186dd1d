import { join } from 'node:path';
import { Client } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * One source of options for the Nest module and the TypeORM CLI (`ormconfig.ts`), so they never drift. The CLI
 * gets every module's entities; the Nest app passes none and loads what each module registers (forFeature).
 */
export interface SessionSettings {
  /** An owner's login working as the runtime role (one DATABASE_URL; issue 16), for the whole session. */
  actAs?: string;
  /** `idle_in_transaction_session_timeout` (ms; 0 off). */
  idleInTransactionTimeoutMs?: number;
}

export function buildDataSourceOptions(
  databaseUrl: string,
  poolSize = 20,
  session: SessionSettings = {},
): DataSourceOptions {
  const settings = [
    'jit=off',
    ...(session.actAs ? [`role=${session.actAs}`] : []),
    ...(session.idleInTransactionTimeoutMs
      ? [`idle_in_transaction_session_timeout=${session.idleInTransactionTimeoutMs}`]
      : []),
  ];
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ALL_ENTITIES,
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // JIT compiles the large `= ANY($1)` statements of a 10,000-entry consent batch anew each time: about 20 ms
    // spent to save nothing on index scans. Our queries are short OLTP ones, so it is off for our sessions.
    extra: { max: poolSize, application_name: 'zgoda', options: settings.map((s) => `-c ${s}`).join(' ') },
    logging: false,
  };
}

/** Creates the database named in the URL when it does not exist yet (first start on a fresh machine). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) return;
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // another replica created it first
      });
    }
  } finally {
    await client.end();
  }
}
