import { createSubject, grant, publishedPurpose } from '../consent/consent-fixtures';
import { createStaff, GOOD_PASSWORD, STAFF_ENV } from '../users/staff-client';
import { PrivateRedis } from '../support/private-redis';
import { eventually, startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 25 item 6: with Redis down, the API keeps what PostgreSQL alone can do and says 503 for the rest, never 500;
 * /metrics still answers, from the last figures.
 */
describe('platform: the API while Redis is down', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  const staff = 'redis.down@example.com';
  let purpose: string;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp({ role: 'api', env: { REDIS_URL: redis.url, ...STAFF_ENV } });
    await createStaff(t, staff, 'dpo');
    purpose = await publishedPurpose(t, 'redis-down', { channels: ['email'] });
    expect((await t.request('GET', '/metrics', undefined, { key: null })).status).toBe(200);
    redis.down();
  });

  afterAll(async () => {
    // Back up for a clean close, when a failed test left it down.
    let alive = false;
    try {
      alive = redis.cli('ping').includes('PONG');
    } catch {
      // redis-cli exits non-zero when nothing listens: it is down.
    }
    if (!alive) redis.up();
    await t.close();
    redis.stop();
  });

  it('records a request from the public form (PostgreSQL holds it; the mail goes once Redis is back)', async () => {
    const res = await t.request(
      'POST',
      '/public/requests',
      { type: 'access', email: 'anna@example.com' },
      { key: null },
    );
    expect(res.status).toBe(202);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM requests WHERE source = 'portal'`);
    expect(n).toBe(1);
  });

  it('records a consent and answers the decision', async () => {
    const subjectId = await createSubject(t);
    const granted = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose, ...grant() });
    expect(granted.status).toBe(201);
    const check = await t.request('GET', `/v1/consents/check?subjectId=${subjectId}&purpose=${purpose}&channel=email`);
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ allowed: true });
  });

  it('answers a login 503 with Retry-After: sessions live in Redis', async () => {
    const res = await t.request('POST', '/v1/auth/login', { email: staff, password: GOOD_PASSWORD }, { key: null });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('service_unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers /metrics with the queue figures it had, instead of waiting for Redis (it took over 100 s)', async () => {
    // Twice: a scrape while the first one's queue count still waits must not wait either.
    for (let i = 0; i < 2; i++) {
      const res = await t.request('GET', '/metrics', undefined, { key: null });
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/zgoda_queue_jobs\{queue="requests",state="waiting"\} \d+/);
    }
  });

  it('logs in again once Redis is back', async () => {
    redis.up();
    await eventually(async () => {
      const res = await t.request('POST', '/v1/auth/login', { email: staff, password: GOOD_PASSWORD }, { key: null });
      return res.status === 200 ? res : undefined;
    });
    const res = await t.request(
      'POST',
      '/public/requests',
      { type: 'access', email: 'jan@example.com' },
      { key: null },
    );
    expect(res.status).toBe(202);
  });
});
