import { appendFileSync } from 'node:fs';
import { contractStats, contractViolation } from './contract';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createHttpApp, createWorkerContext } from '../../src/bootstrap';
import { Env, EnvInput, validateEnv } from '../../src/config/env';
import {
  adminQuery,
  createTestDatabase,
  dbUrl,
  deleteRedisPrefix,
  dropDatabase,
  logDir,
  randomKey,
  REDIS_URL,
  runId,
  runtimeDbUrl,
} from './test-env';

export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  key?: string | null;
  headers?: Record<string, string>;
  raw?: string;
}

export class TestApp {
  constructor(
    readonly env: Env,
    readonly dbName: string,
    readonly app: NestFastifyApplication | null,
    readonly worker: INestApplicationContext | null,
    readonly baseUrl: string,
  ) {}

  get adminKey(): string {
    return this.env.ADMIN_API_KEY!;
  }

  get dataSource(): DataSource {
    return (this.app ?? this.worker)!.get(DataSource);
  }

  /**
   * A statement as the owner of this installation's tables (the service itself works as the runtime role): for what
   * a test does behind the service's back, such as a trigger that holds a statement, or tampering with the audit log.
   */
  asOwner<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return adminQuery<T>(sql, params, dbUrl(this.dbName));
  }

  get<T>(token: new (...args: never[]) => T): T {
    return (this.app ?? this.worker)!.get(token, { strict: false });
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const key = opts.key === undefined ? this.adminKey : opts.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined = opts.raw;
    if (body !== undefined && payload === undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = text;
    if (/json/.test(res.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    const broken = contractViolation(method, path, res.status, res.headers.get('content-type'), parsed);
    if (broken) throw new Error(`contract (openapi.json): ${broken}`);
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  async close(): Promise<void> {
    // CONTRACT_REPORT=<file>: how many responses this test file checked against openapi.json (issue 24 item 4).
    if (process.env.CONTRACT_REPORT) appendFileSync(process.env.CONTRACT_REPORT, `${contractStats.checked}\n`);
    contractStats.checked = 0;
    await this.app?.close();
    await this.worker?.close();
    await dropDatabase(this.dbName);
    await deleteRedisPrefix(this.env.REDIS_PREFIX);
  }
}

export interface StartOptions {
  /** `all` runs API and worker in one process (the default); `api` no worker; `worker` no HTTP. */
  role?: 'all' | 'api' | 'worker';
  env?: EnvInput;
  /** Reuse an existing test database (a second process of the same installation). */
  dbName?: string;
}

let counter = 0;

/** Starts the real application on its own database (cloned from the migrated template) and Redis prefix. */
export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const dbName = options.dbName ?? (await createTestDatabase());
  counter += 1;
  const env = validateEnv({
    NODE_ENV: 'test',
    // As in production: the service works as the runtime role; the owner's URL is for migrations and VACUUM.
    DATABASE_URL: runtimeDbUrl(dbName),
    DATABASE_MIGRATION_URL: dbUrl(dbName),
    REDIS_URL,
    REDIS_PREFIX: `zgoda-t-${runId()}-${dbName.slice(-8)}`,
    ADMIN_API_KEY: `zk_admin_${randomBytes(18).toString('base64url')}`,
    ENCRYPTION_KEY: randomKey(),
    PORT: 0,
    HOST: '127.0.0.1',
    MIGRATIONS_RUN: false,
    LOG_LEVEL: 'info',
    LOG_FILE: `${logDir()}/${process.pid}-${dbName.slice(-8)}-${counter}.log`,
    OUTBOX_POLL_MS: 200,
    RECONCILE_INTERVAL_MS: 500,
    RECONCILE_GRACE_MS: 1000,
    DB_POOL_SIZE: 10,
    ERASURE_JOURNAL_DIR: `${logDir()}/erasure-journal-${dbName.slice(-8)}`,
    AUDIT_CHECKPOINT_DIR: `${logDir()}/audit-checkpoints-${dbName.slice(-8)}`,
    ...options.env,
  });
  const role = options.role ?? 'all';
  if (role === 'worker') {
    const worker = await createWorkerContext(env);
    await worker.init();
    return new TestApp(env, dbName, null, worker, '');
  }
  const app = await createHttpApp(env, role);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return new TestApp(env, dbName, app, null, `http://127.0.0.1:${address.port}`);
}

/** Polls until `check` returns a truthy value (work done by the worker), or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  ms = 15_000,
  every = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${ms} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
