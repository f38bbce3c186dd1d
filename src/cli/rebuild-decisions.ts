import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { DecisionRowsService } from '../consent';
import { Env } from '../config/env';
import { loadEnv } from '../config/load-env';

/**
 * `npm run decisions:rebuild`: decides every kept decision row again (issue 16 item 1), in small transactions beside
 * live traffic. Run once after upgrading to the version that brings the rows (checks are answered from the states
 * until then), or after consent states were loaded by other means than the service. Safe to run again.
 */
export async function rebuildDecisions(env: Env): Promise<{ subjects: number }> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    return await ctx.get(DecisionRowsService).rebuildAll();
  } finally {
    await ctx.close();
  }
}

if (require.main === module) {
  rebuildDecisions(loadEnv())
    .then((report) => process.stdout.write(`${JSON.stringify(report)}\n`))
    .catch((e: Error) => {
      process.stderr.write(`decision rows rebuild failed: ${e.message}\n`);
      process.exit(2);
    });
}
