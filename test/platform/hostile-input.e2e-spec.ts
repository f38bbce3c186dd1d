import { validateEnv } from '../../src/config/env';
import { randomKey } from '../support/test-env';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject } from '../requests/support';

const deepArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Issue 25 items 4, 5 and 10: hostile input answers 4xx before any handler; personal data is never cached. */
describe('platform: hostile input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t?.close());

  const post = (path: string, raw: string, key: string | null = null) =>
    t.request('POST', path, undefined, { key, raw, headers: { 'content-type': 'application/json' } });

  it('answers 5,000 nested arrays with 400 input_too_deep, on public and keyed routes alike', async () => {
    for (const [path, key] of [
      ['/public/requests', null],
      ['/v1/auth/login', null],
      ['/v1/subjects', t.adminKey],
    ] as const) {
      const res = await post(path, `{"email":${deepArrays(5000)}}`, key);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        code: 'input_too_deep',
        errors: [{ field: expect.stringMatching(/^email\[0\]/) }],
      });
    }
  });

  it('answers a NUL byte with 422 invalid_characters and writes nothing', async () => {
    const res = await t.request('POST', '/v1/api-keys', { name: 'bad\u0000name', scopes: ['consents:read'] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'invalid_characters', errors: [{ field: 'name' }] });
    const keys = (await t.dataSource.query(`SELECT count(*)::int AS n FROM api_keys WHERE name LIKE 'bad%'`)) as {
      n: number;
    }[];
    expect(keys[0].n).toBe(0);
    const query = await t.request('GET', '/v1/subjects?limit=1&cursor=%00');
    expect(query.status).toBe(422);
    expect(query.body.code).toBe('invalid_characters');
  });

  it('lets a DTO answer its own size limit first (10,001 ids is batch_too_large, not a generic refusal)', async () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const res = await t.request('POST', '/v1/consents/check', {
      purpose: 'newsletter',
      channel: 'email',
      subjectIds: ids,
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('batch_too_large');
  });

  it('marks answers with decrypted personal data no-store', async () => {
    const s = await createSubject(t);
    const res = await t.request('GET', `/v1/subjects/${s.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('platform: OpenAPI document in production', () => {
  const base = {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
    ENCRYPTION_KEY: randomKey(),
    BLIND_INDEX_KEY: randomKey(),
  };
  it('is off by default in production and on elsewhere, unless set', () => {
    expect(validateEnv({ ...base, NODE_ENV: 'production' }).DOCS_ENABLED).toBe(false);
    expect(validateEnv({ ...base, NODE_ENV: 'production', DOCS_ENABLED: 'true' }).DOCS_ENABLED).toBe(true);
    expect(validateEnv({ ...base, NODE_ENV: 'test' }).DOCS_ENABLED).toBe(true);
    expect(validateEnv({ ...base, NODE_ENV: 'development' }).DOCS_ENABLED).toBe(true);
    expect(validateEnv({ ...base, NODE_ENV: 'test', DOCS_ENABLED: 'false' }).DOCS_ENABLED).toBe(false);
  });
});
