import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AuditService } from '../audit';
import { loadEnv } from '../config/load-env';

/** `npm run audit:verify`: recomputes the audit hash chain; exit code 1 names the first broken entry. */
async function main(): Promise<void> {
  const env = loadEnv();
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    const result = await ctx.get(AuditService).verify();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!result.valid) process.exitCode = 1;
  } finally {
    await ctx.close();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`audit verification failed to run: ${e.message}\n`);
  process.exit(2);
});
