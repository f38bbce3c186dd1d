import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { Env } from '../config/env';
import { loadEnv } from '../config/load-env';
import { ReplayReport, RestoreReplay } from '../subjects';

/**
 * `npm run restore:replay [-- --since ISO-TIME] [--dir DIR]`: after PostgreSQL was restored from a backup, erases
 * again every subject the erasure journal (ERASURE_JOURNAL_DIR, or `--dir`) names; `--since` (the backup's time)
 * skips older entries, which the backup already holds as erased. Run it before the service takes traffic again.
 * Safe to run again: an erased subject is left alone.
 */
export async function restoreReplay(env: Env, options: { dir?: string; since?: Date } = {}): Promise<ReplayReport> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    return await ctx.get(RestoreReplay).replay(options);
  } finally {
    await ctx.close();
  }
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
}

if (require.main === module) {
  const since = arg(process.argv, '--since');
  const sinceDate = since === undefined ? undefined : new Date(since);
  if (sinceDate && Number.isNaN(sinceDate.getTime())) {
    process.stderr.write(`--since: not a time: ${since}\n`);
    process.exit(2);
  }
  restoreReplay(loadEnv(), { dir: arg(process.argv, '--dir'), since: sinceDate })
    .then((report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      // Held or unreadable subjects were not erased again: someone must look at them.
      if (report.held.length || report.failed.length) process.exitCode = 1;
    })
    .catch((e: Error) => {
      process.stderr.write(`restore replay failed: ${e.message}\n`);
      process.exit(2);
    });
}
