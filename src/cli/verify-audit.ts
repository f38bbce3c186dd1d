import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module';
import { AuditVerifier } from '../audit';
import { loadEnv } from '../config/load-env';

/**
 * `npm run audit:verify [-- --checkpoint FILE]`: recomputes the sealed audit entries and the Merkle tree, against the
 * checkpoint in FILE (a JWS of AUDIT_CHECKPOINT_DIR, kept outside the database) or else the latest recorded one.
 * Exit code 1 and a `fault` naming the first bad position and its kind; 2 when it could not run.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { checkpoint: { type: 'string' } } });
  const checkpoint = values.checkpoint ? (await readFile(values.checkpoint, 'utf8')).trim() : undefined;
  const env = loadEnv();
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    const result = await ctx.get(AuditVerifier).verify(checkpoint);
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
