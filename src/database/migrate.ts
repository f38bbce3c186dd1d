import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, ensureDatabase } from './database.options';
import { ensureRuntimeRole } from './runtime-role';

// Several replicas may start at once; one applies the migrations, the others wait for it.
const MIGRATION_LOCK = 0x2a0d19;

/** Applies pending migrations as the owner (`databaseUrl`), then grants the runtime role what the tables need. */
export async function runMigrations(databaseUrl: string, runtimeRole = 'zgoda_runtime'): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const ds = new DataSource({ ...buildDataSourceOptions(databaseUrl, 2) });
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    // Under the same lock: concurrent GRANTs on one table fail with "tuple concurrently updated".
    await ensureRuntimeRole(databaseUrl, runtimeRole);
    return applied.map((m) => m.name);
  } finally {
    // Safe to ignore: a session lock also ends with its connection, which release/destroy below close.
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch((e: unknown) => {
      new Logger('Migrations').warn(
        { err: { name: (e as Error).name } },
        'migration lock not released; it ends with the connection',
      );
    });
    await runner.release();
    await ds.destroy();
  }
}
