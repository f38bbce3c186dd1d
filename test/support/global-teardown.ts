import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { adminQuery, deleteRedisPrefix, logDir, runId } from './test-env';

// Every e-mail the tests use is on these domains, and every API key starts with `zk_`: none may appear in a log.
const FORBIDDEN = [/[A-Za-z0-9._%+-]+@(example\.com|example\.org|zgoda\.test)/, /\bzk_[A-Za-z0-9_-]{20,}/, /\+48\d{9}/];

export default async function globalTeardown(): Promise<void> {
  const dbs = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `zgoda_t_${runId()}_%`,
  ]);
  for (const { datname } of dbs) await adminQuery(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  await deleteRedisPrefix(`zgoda-t-${runId()}`);

  const leaks: string[] = [];
  // Recursive: the erasure journals (ERASURE_JOURNAL_DIR) are kept here too, and must hold no personal data either.
  for (const file of readdirSync(logDir(), { recursive: true }) as string[]) {
    if (!statSync(join(logDir(), file)).isFile()) continue;
    const text = readFileSync(join(logDir(), file), 'utf8');
    for (const re of FORBIDDEN) {
      const m = re.exec(text);
      if (m) leaks.push(`${file}: ${re.source} matched`);
    }
  }
  if (!leaks.length) rmSync(logDir(), { recursive: true, force: true });
  if (leaks.length)
    throw new Error(`Personal data or secrets found in logs (kept in ${logDir()}):\n${leaks.join('\n')}`);
}
