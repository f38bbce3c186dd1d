import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadEnv } from '../config/load-env';
import { importView, ImportsService, PurposesService, seedOptician, seedPaperForms, TextsService } from '../consent';

const WAIT_MS = 60_000;

/**
 * `npm run seed:optician`: an optician chain's purposes with published texts in Polish and English, then a sample of
 * the consents its stores keep on signed paper forms, brought in through the import path (a running worker imports
 * them; this waits up to a minute for it).
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'api'), { logger: false });
  try {
    const seeded = await seedOptician(ctx.get(PurposesService), ctx.get(TextsService));
    process.stdout.write(seeded.length ? `seeded: ${seeded.join(', ')}\n` : 'purposes already seeded\n');
    const imports = ctx.get(ImportsService);
    const queued = await seedPaperForms(imports);
    const deadline = Date.now() + WAIT_MS;
    let current = queued;
    while ((current.status === 'queued' || current.status === 'running') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      current = await imports.get(queued.id);
    }
    const { id, status, rows } = importView(current);
    process.stdout.write(
      status === 'completed'
        ? `paper forms: ${rows.imported} imported, ${rows.skipped} already there, ${rows.failed} failed (import ${id})\n`
        : `paper forms: import ${id} is ${status}; a running worker (npm run start:worker) imports it\n`,
    );
  } finally {
    await ctx.close();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`seed failed: ${e.message}\n`);
  process.exit(1);
});
