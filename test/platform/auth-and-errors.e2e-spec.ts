import { startTestApp, TestApp } from '../support/test-app';

describe('platform: API keys, scopes and errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t.close());

  it('serves the env admin key and answers every response with a correlation id', async () => {
    const res = await t.request('GET', '/v1/api-keys');
    expect(res.status).toBe(200);
    expect(res.body.items.map((k: { name: string }) => k.name)).toContain('env:ADMIN_API_KEY');
    expect(res.headers.get('x-correlation-id')).toMatch(/[0-9a-f-]{36}/);
    const echoed = await t.request('GET', '/v1/api-keys', undefined, { headers: { 'x-correlation-id': 'abc-123' } });
    expect(echoed.headers.get('x-correlation-id')).toBe('abc-123');
  });

  it('401 for missing and unknown keys, 403 without the scope, 401 once revoked', async () => {
    expect((await t.request('GET', '/v1/api-keys', undefined, { key: null })).status).toBe(401);
    const unknown = await t.request('GET', '/v1/api-keys', undefined, { key: 'zk_not-a-real-key-at-all-000000' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(unknown.body.code).toBe('unauthorized');

    const created = await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['consent:read'] });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^zk_/);
    const limited = created.body.key as string;
    const forbidden = await t.request('GET', '/v1/api-keys', undefined, { key: limited });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');

    const listed = await t.request('GET', '/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(limited);

    expect((await t.request('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await t.request('GET', '/v1/audit?action=api_key.revoked', undefined, { key: limited })).status).toBe(401);
    const audit = await t.request('GET', `/v1/audit?targetId=${created.body.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'api_key.created',
      'api_key.revoked',
    ]);
    expect(JSON.stringify(audit.body)).not.toContain(limited);
  });

  const malformed: [string, string, string, () => Promise<{ status: number; body: any; headers: Headers }>][] = [];
  const add = (name: string, status: number | string, code: string, fn: () => Promise<any>) =>
    malformed.push([name, String(status), code, fn]);
  add('malformed JSON', 400, 'malformed_json', () =>
    t.request('POST', '/v1/api-keys', undefined, { raw: '{"name":', headers: { 'content-type': 'application/json' } }),
  );
  add('wrong content type', 415, 'unsupported_media_type', () =>
    t.request('POST', '/v1/api-keys', undefined, { raw: 'name=x', headers: { 'content-type': 'text/csv' } }),
  );
  add('unknown field', 422, 'validation_failed', () =>
    t.request('POST', '/v1/api-keys', { name: 'x', scopes: ['admin'], evil: true }),
  );
  add('missing field', 422, 'validation_failed', () => t.request('POST', '/v1/api-keys', { scopes: ['admin'] }));
  add('wrong type', 422, 'validation_failed', () => t.request('POST', '/v1/api-keys', { name: 42, scopes: ['admin'] }));
  add('unknown scope', 422, 'validation_failed', () =>
    t.request('POST', '/v1/api-keys', { name: 'x', scopes: ['root'] }),
  );
  add('empty scopes', 422, 'validation_failed', () => t.request('POST', '/v1/api-keys', { name: 'x', scopes: [] }));
  add('scopes not an array', 422, 'validation_failed', () =>
    t.request('POST', '/v1/api-keys', { name: 'x', scopes: 'admin' }),
  );
  add('duplicate scopes', 422, 'validation_failed', () =>
    t.request('POST', '/v1/api-keys', { name: 'x', scopes: ['admin', 'admin'] }),
  );
  add('name too long', 422, 'validation_failed', () =>
    t.request('POST', '/v1/api-keys', { name: 'x'.repeat(101), scopes: ['admin'] }),
  );
  add('JSON array body', 422, 'validation_failed', () => t.request('POST', '/v1/api-keys', [1, 2]));
  add('JSON null body', 422, 'validation_failed', () =>
    t.request('POST', '/v1/api-keys', undefined, { raw: 'null', headers: { 'content-type': 'application/json' } }),
  );
  add('empty JSON body', 400, 'malformed_json', () =>
    t.request('POST', '/v1/api-keys', undefined, { raw: '', headers: { 'content-type': 'application/json' } }),
  );
  add('oversized body', 413, 'payload_too_large', () =>
    t.request('POST', '/v1/api-keys', { name: 'x'.repeat(6 * 1024 * 1024), scopes: ['admin'] }),
  );
  add('unknown route', 404, 'not_found', () => t.request('GET', '/v1/nowhere'));
  add('unknown method on a route', 404, 'not_found', () => t.request('PUT', '/v1/api-keys'));
  add('non-uuid id', 400, 'bad_request', () => t.request('DELETE', '/v1/api-keys/not-a-uuid'));
  add('unknown id', 404, 'not_found', () => t.request('DELETE', '/v1/api-keys/6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11'));
  add('limit too large', 422, 'validation_failed', () => t.request('GET', '/v1/api-keys?limit=501'));
  add('limit not a number', 422, 'validation_failed', () => t.request('GET', '/v1/api-keys?limit=abc'));
  add('damaged cursor', 400, 'invalid_cursor', () => t.request('GET', '/v1/api-keys?cursor=%%%'));
  add('bad date filter', 422, 'validation_failed', () => t.request('GET', '/v1/audit?from=yesterday'));
  add('malformed bearer', 401, 'unauthorized', () =>
    t.request('GET', '/v1/api-keys', undefined, { key: null, headers: { authorization: 'Basic abc' } }),
  );
  add('idempotency key too long', 400, 'bad_request', () =>
    t.request(
      'POST',
      '/v1/api-keys',
      { name: 'x', scopes: ['admin'] },
      { headers: { 'idempotency-key': 'k'.repeat(201) } },
    ),
  );

  it.each(malformed)('%s → %s %s as problem+json, never a 500', async (_name, status, code, fn) => {
    const res = await fn();
    expect(String(res.status)).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code, status: Number(status), type: `urn:zgoda:problem:${code}` });
    expect(res.body.correlationId).toBe(res.headers.get('x-correlation-id'));
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:|SELECT|INSERT/);
  });

  it('lists which fields failed validation without echoing values', async () => {
    const res = await t.request('POST', '/v1/api-keys', {
      name: 'secret-value@example.com'.repeat(10),
      scopes: ['nope'],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'scopes']);
    expect(res.text).not.toContain('secret-value');
  });
});
