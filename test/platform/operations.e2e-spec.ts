import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrivateRedis } from '../support/private-redis';
import { createTestDatabase, dbUrl, deleteRedisPrefix, dropDatabase, randomKey } from '../support/test-env';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { checkedFetch } from '../support/contract';

describe('platform: health, docs, metrics', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await t.close().catch(() => undefined);
    redis.stop();
  });

  it('is ready with PostgreSQL and Redis, 503 while Redis is down, ready again when it returns', async () => {
    expect((await t.request('GET', '/health/live', undefined, { key: null })).status).toBe(200);
    const ready = await t.request('GET', '/health/ready', undefined, { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });

    redis.down();
    const down = await eventually(async () => {
      const r = await t.request('GET', '/health/ready', undefined, { key: null });
      return r.status === 503 ? r : null;
    });
    expect(down.body.error.redis.status).toBe('down');

    redis.up();
    await eventually(async () => (await t.request('GET', '/health/ready', undefined, { key: null })).status === 200);
  });

  it('reports a Redis that may evict keys, which would silently drop BullMQ jobs', async () => {
    redis.cli('config', 'set', 'maxmemory-policy', 'allkeys-lru');
    const ready = await t.request('GET', '/health/ready', undefined, { key: null });
    expect(ready.body.info.redis.warning).toMatch(/noeviction/);
    redis.cli('config', 'set', 'maxmemory-policy', 'noeviction');
  });

  it('describes every route in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/docs-json', undefined, { key: null });
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/api-keys', '/v1/api-keys/{id}', '/v1/audit', '/v1/audit/verify', '/health/ready']),
    );
    // Issue 24: every operation states how it authenticates and answers errors in the one problem shape.
    expect(Object.keys(doc.body.components.securitySchemes).sort()).toEqual(['apiKey', 'session']);
    const keyed = doc.body.paths['/v1/api-keys'].get;
    expect(keyed.security).toEqual([{ apiKey: [] }]);
    expect(keyed.description).toContain('`keys:manage`');
    expect(keyed.responses['401'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(keyed.responses['403']).toBeDefined();
    expect(doc.body.paths['/public/requests'].post.security).toEqual([]);
    expect(doc.body.paths['/public/requests'].post.responses['429']).toBeDefined();
    expect(doc.body.paths['/v1/users/me'].get.security).toEqual([{ session: [] }]);
    expect(doc.body.components.schemas.Problem.properties.code.enum).toContain('validation_failed');
    for (const item of Object.values(doc.body.paths) as Record<string, { security?: unknown; summary?: string }>[]) {
      for (const op of Object.values(item)) {
        expect(op.security).toBeDefined();
        expect(op.summary).toBeTruthy();
      }
    }
    const ui = await t.request('GET', '/docs', undefined, { key: null });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('exposes Prometheus metrics with HTTP latency, queue depths and outbox lag', async () => {
    const res = await t.request('GET', '/metrics', undefined, { key: null });
    expect(res.status).toBe(200);
    expect(res.text).toContain('zgoda_http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/zgoda_queue_jobs\{queue="notifications",state="waiting"\} \d+/);
    expect(res.text).toContain('zgoda_outbox_lag_seconds');
  });

  it('mounts the queue dashboard for admins only', async () => {
    expect((await t.request('GET', '/admin/queues/api/queues', undefined, { key: null })).status).toBe(401);
    const limited = await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['audit:read'] });
    expect((await t.request('GET', '/admin/queues/api/queues', undefined, { key: limited.body.key })).status).toBe(403);
    const page = await t.request('GET', '/admin/queues/');
    expect(page.status).toBe(200);
    const queues = await t.request('GET', '/admin/queues/api/queues');
    expect(queues.body.queues.map((q: { name: string }) => q.name)).toEqual(
      expect.arrayContaining(['notifications', 'webhooks']),
    );
  });

  it('logs each request by route template and correlation id, never the URL with its ids and tokens', async () => {
    const key = await t.request('POST', '/v1/api-keys', { name: 'access-log', scopes: ['audit:read'] });
    const res = await t.request('DELETE', `/v1/api-keys/${key.body.id}?note=secret-query`, undefined, {
      headers: { 'x-correlation-id': 'access-log-check-1' },
    });
    expect(res.status).toBe(204);
    const line = await eventually(async () =>
      readFileSync(t.env.LOG_FILE!, 'utf8')
        .split('\n')
        .find((l) => l.includes('access-log-check-1') && l.includes('request completed')),
    );
    expect(JSON.parse(line!)).toMatchObject({
      correlationId: 'access-log-check-1',
      method: 'DELETE',
      route: '/v1/api-keys/:id',
      status: 204,
    });
    expect(line).not.toContain(key.body.id);
    expect(line).not.toContain('secret-query');
    // One line per request: no second access log naming the raw path.
    expect(readFileSync(t.env.LOG_FILE!, 'utf8')).not.toContain(`/v1/api-keys/${key.body.id}`);
  });

  it('answers a NUL in any query string with the documented 422, probes and published keys included', async () => {
    // t.request holds each answer to openapi.json: the 422 must be documented for operations that take no query.
    for (const path of ['/health/live', '/v1/receipts/jwks.json', '/.well-known/gpc.json', '/opengdpr/v1/discovery']) {
      const res = await t.request('GET', `${path}?x=%00`, undefined, { key: null });
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        422,
        'application/problem+json; charset=utf-8',
      ]);
      expect(res.body.code).toBe('invalid_characters');
    }
  });

  it('sets security headers', async () => {
    const res = await t.request('GET', '/health/live', undefined, { key: null });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('platform: process lifecycle', () => {
  it('the built service applies migrations, serves, and exits 0 on SIGTERM', async () => {
    const name = await createTestDatabase();
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: dbUrl(name),
      REDIS_PREFIX: `zgoda-t-${process.env.ZGODA_TEST_RUN}-sigterm`,
      ENCRYPTION_KEY: randomKey(),
      ADMIN_API_KEY: 'zk_sigterm_test_admin_key_000000000',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MIGRATIONS_RUN: 'true',
    };
    // `npm test` builds first (pretest), so this is the same artefact `npm start` runs.
    const child = spawn(process.execPath, [join(__dirname, '../../dist/src/main.js')], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await eventually(async () => /listening on 127\.0\.0\.1:(\d+)/.test(stderr), 60_000);
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr)![1];
      const res = await checkedFetch(`http://127.0.0.1:${port}/v1/audit/verify`, {
        headers: { authorization: `Bearer ${env.ADMIN_API_KEY}` },
      });
      expect(res.status).toBe(200);
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await dropDatabase(name);
      await deleteRedisPrefix(env.REDIS_PREFIX);
    }
  });
});
