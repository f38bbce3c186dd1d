import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadEnv } from '../config/load-env';
import { PurposesService } from '../consent';
import { seedOptician } from '../consent';
import { TextsService } from '../consent';

/** `npm run seed:optician`: an optician chain's purposes with published texts in Polish and English. */
async function main(): Promise<void> {
  const env = loadEnv();
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    const seeded = await seedOptician(ctx.get(PurposesService), ctx.get(TextsService));
    process.stdout.write(seeded.length ? `seeded: ${seeded.join(', ')}\n` : 'already seeded\n');
  } finally {
    await ctx.close();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`seed failed: ${e.message}\n`);
  process.exit(1);
});
