/**
 * A single measurement, not a benchmark: how long the optician seed's register takes as XLSX over HTTP.
 * `node -r ./test/support/swc-register.js test/register/measure-xlsx.ts` (PostgreSQL and Redis running).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import globalSetup from '../support/global-setup';
import { startTestApp } from '../support/test-app';
import { adminQuery, logDir, templateDb } from '../support/test-env';
import { CONTROLLER_NAME, download, seedOpticianWithRegister } from './register-fixtures';

async function main(): Promise<void> {
  process.env.ZGODA_TEST_RUN = `m${randomBytes(3).toString('hex')}`;
  await globalSetup();
  const t = await startTestApp({ role: 'api', env: { CONTROLLER_NAME, LOG_LEVEL: 'warn' } });
  try {
    await seedOpticianWithRegister(t);
    await download(t, '/v1/register?format=xlsx'); // warm-up: first compile, connection pool
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      const res = await download(t, '/v1/register?format=xlsx');
      times.push(performance.now() - start);
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    }
    times.sort((a, b) => a - b);
    const fmt = (n: number) => `${n.toFixed(1)} ms`;
    process.stdout.write(
      `xlsx, optician seed, 20 requests after warm-up: median ${fmt(times[10])}, min ${fmt(times[0])}, max ${fmt(times[19])}\n`,
    );
  } finally {
    await t.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${templateDb()} WITH (FORCE)`);
    rmSync(logDir(), { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
