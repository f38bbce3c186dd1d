import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { Env } from '../config/env';
import { loadEnv } from '../config/load-env';
import { KeyRotationReport, KeyRotationService } from '../subjects';

/**
 * `npm run keys:rotate`: moves every subject data key and sealed secret to the current master key
 * version (ENCRYPTION_KEY_VERSION). Run it after every replica has the new key and the old one in
 * ENCRYPTION_KEYS_PREVIOUS; the service keeps serving meanwhile. Safe to run again at any time.
 * `--batch-size N` (default 500) bounds how many keys one statement rewraps.
 */
export async function rotateKeys(env: Env, batchSize?: number): Promise<KeyRotationReport> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    return await ctx.get(KeyRotationService).rotate({ batchSize });
  } finally {
    await ctx.close();
  }
}

function batchSizeArg(argv: string[]): number | undefined {
  const i = argv.indexOf('--batch-size');
  const n = i === -1 ? NaN : Number(argv[i + 1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

if (require.main === module) {
  rotateKeys(loadEnv(), batchSizeArg(process.argv))
    .then((report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      // Keys left under an old version: the old master key must not be removed yet.
      if (report.failed > 0 || report.remaining > 0) process.exitCode = 1;
    })
    .catch((e: Error) => {
      process.stderr.write(`key rotation failed: ${e.message}\n`);
      process.exit(2);
    });
}
