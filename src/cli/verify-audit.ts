import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AuditVerifier } from '../audit';
import { loadEnv } from '../config/load-env';

/** `npm run audit:verify`: recomputes the sealed audit entries and the Merkle tree; exit code 1 names the first fault. */
async function main(): Promise<void> {
  const env = loadEnv();
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    const result = await ctx.get(AuditVerifier).verify();
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
