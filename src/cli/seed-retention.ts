import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadEnv } from '../config/load-env';
import { seedRetentionDefaults } from '../retention';
import { RetentionPoliciesService } from '../retention';

/** `npm run seed:retention`: the Polish default retention policies (LEGAL item 26); existing keys are kept. */
async function main(): Promise<void> {
  const env = loadEnv();
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    const seeded = await seedRetentionDefaults(ctx.get(RetentionPoliciesService));
    process.stdout.write(seeded.length ? `seeded: ${seeded.join(', ')}\n` : 'already seeded\n');
  } finally {
    await ctx.close();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`seed failed: ${e.message}\n`);
  process.exit(1);
});
