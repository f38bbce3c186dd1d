import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import IORedis from 'ioredis';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const runId = (): string => {
  const id = process.env.ZGODA_TEST_RUN;
  if (!id) throw new Error('ZGODA_TEST_RUN is not set: run tests through jest (global setup)');
  return id;
};
export const templateDb = () => `zgoda_t_${runId()}_tpl`;
export const logDir = () => join(tmpdir(), 'zgoda-test-logs', runId());

export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The same database as the service's runtime role (issue 16): what the app and the bench connect as. */
export function runtimeDbUrl(name: string): string {
  const u = new URL(dbUrl(name));
  u.username = 'zgoda_runtime';
  u.password = '';
  return u.toString();
}

/** One statement as the cluster's owner, on the `postgres` database or (`url`) another. */
export async function adminQuery<T = unknown>(sql: string, params: unknown[] = [], url = PG_ADMIN_URL): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A fresh database cloned from the run's migrated template: each test file gets its own. */
export async function createTestDatabase(): Promise<string> {
  const name = `zgoda_t_${runId()}_${randomBytes(4).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`);
      return name;
    } catch (e) {
      // Two files cloning the template at the same instant: PostgreSQL refuses the second; try again.
      if (attempt > 20 || !/being accessed by other users/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new IORedis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const randomKey = () => randomBytes(32).toString('base64');
