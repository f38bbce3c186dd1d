import { randomBytes } from 'node:crypto';
import { verifyWebhookSignature } from '../../src/common/crypto/webhook-signature';
import { SystemsService } from '../../src/systems/systems.service';
import { pgDump } from '../subjects/db-scan';
import { startTestApp, TestApp } from '../support/test-app';

const tag = () => randomBytes(4).toString('hex');
const secret = () => `whsec_${randomBytes(18).toString('base64url')}`;

describe('systems: the registry of data systems', () => {
  let t: TestApp;
  let systems: SystemsService;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    systems = t.get(SystemsService);
  });
  afterAll(() => t.close());

  it("has Zgoda's own store registered as the internal system `zgoda`, which stays internal and active", async () => {
    const zgoda = await t.request('GET', '/v1/systems/zgoda');
    expect(zgoda.status).toBe(200);
    expect(zgoda.body).toMatchObject({ key: 'zgoda', kind: 'internal', active: true, webhook: null });
    expect(zgoda.body.dataCategories).toEqual(expect.arrayContaining(['email', 'phone', 'consent_records']));
    expect((await systems.findByKey('zgoda'))?.id).toBe(zgoda.body.id);
    expect((await t.request('PATCH', '/v1/systems/zgoda', { kind: 'manual' })).status).toBe(409);
    expect((await t.request('PATCH', '/v1/systems/zgoda', { active: false })).status).toBe(409);
    expect((await t.request('PATCH', '/v1/systems/zgoda', { purposes: ['newsletter'] })).body.purposes).toEqual([
      'newsletter',
    ]);
  });

  it('registers a webhook system; the secret is sealed at rest and never returned or audited', async () => {
    const key = `shop-${tag()}`;
    const whsec = secret();
    const body = {
      key,
      name: 'Sklep internetowy',
      kind: 'webhook',
      dataCategories: ['email', 'order_history'],
      purposes: ['order-fulfilment'],
      webhook: { url: 'https://shop.example.com/zgoda/tasks', secret: whsec },
      processor: { name: 'Hosting Sp. z o.o.', contact: 'iod@hosting.example.com', country: 'PL' },
    };
    const res = await t.request('POST', '/v1/systems', body, { headers: { 'idempotency-key': `sys-${key}` } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      key,
      kind: 'webhook',
      dataCategories: ['email', 'order_history'],
      purposes: ['order-fulfilment'],
      webhook: { url: 'https://shop.example.com/zgoda/tasks', secretSet: true, secretRotatedAt: null },
      processor: { name: 'Hosting Sp. z o.o.', country: 'PL', transferSafeguards: null },
      active: true,
    });
    expect(res.text).not.toContain(whsec);
    const replay = await t.request('POST', '/v1/systems', body, { headers: { 'idempotency-key': `sys-${key}` } });
    expect(replay.body.id).toBe(res.body.id);
    expect((await t.request('POST', '/v1/systems', { ...body, name: 'x' })).body.code).toBe('system_exists');

    for (const r of [await t.request('GET', `/v1/systems/${key}`), await t.request('GET', '/v1/systems?limit=500')]) {
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(whsec);
    }
    expect((await t.request('GET', `/v1/systems/${res.body.id}`)).body.key).toBe(key);
    const audit = await t.request('GET', `/v1/audit?targetId=${res.body.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['system.created']);
    expect(pgDump(t.dbName)).not.toContain(whsec);
    expect(audit.text).not.toContain(whsec);
    expect(systems.getWebhook(res.body.id)).toEqual({ url: 'https://shop.example.com/zgoda/tasks', secret: whsec });
  });

  it('signs outgoing calls the way receivers verify them, and verifies signed callbacks', async () => {
    const whsec = secret();
    const created = await t.request('POST', '/v1/systems', {
      key: `crm-${tag()}`,
      name: 'CRM',
      kind: 'webhook',
      webhook: { url: 'https://crm.example.com/hook', secret: whsec },
    });
    const id = created.body.id as string;
    const payload = JSON.stringify({ taskId: 't1', requestId: 'r1', action: 'erasure', subject: { identifiers: [] } });
    const header = systems.signPayload(id, payload);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // What a receiver holding the secret does with it.
    expect(verifyWebhookSignature(whsec, header, payload, Math.floor(Date.now() / 1000))).toEqual({ ok: true });

    expect(systems.verifyCallback(id, header, payload)).toBe(true);
    expect(systems.verifyCallback(id, header, payload.replace('erasure', 'access'))).toBe(false);
    expect(systems.verifyCallback(id, undefined, payload)).toBe(false);
    const stale = `t=${Math.floor(Date.now() / 1000) - 3600},v1=${'0'.repeat(64)}`;
    expect(systems.verifyCallback(id, stale, payload)).toBe(false);
    const zgoda = (await systems.findByKey('zgoda'))!;
    expect(systems.verifyCallback(zgoda.id, header, payload)).toBe(false);
    expect(() => systems.signPayload(zgoda.id, payload)).toThrow();

    // A new secret: new signatures use it; callbacks signed with the old one still pass for a grace period.
    const next = secret();
    const patched = await t.request('PATCH', `/v1/systems/${created.body.key}`, { webhook: { secret: next } });
    expect(patched.status).toBe(200);
    expect(patched.body.webhook.secretRotatedAt).not.toBeNull();
    expect(patched.text).not.toContain(next);
    expect(systems.getWebhook(id)?.secret).toBe(next);
    expect(systems.verifyCallback(id, header, payload)).toBe(true);
    const fresh = systems.signPayload(id, payload);
    expect(verifyWebhookSignature(next, fresh, payload, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    const audit = await t.request('GET', `/v1/audit?targetId=${id}&action=system.updated`);
    expect(audit.body.items[0].data).toMatchObject({ fields: ['webhook'], secretChanged: true });
    expect(audit.text).not.toContain(next);
  });

  // WEBHOOK_ALLOW_PRIVATE_NETWORKS keeps its default (false) here: Zgoda sends identifiers to this URL.
  it.each([
    ['loopback', 'http://127.0.0.1:8080/zgoda', 'address'],
    ['localhost by name', 'http://localhost:8080/zgoda', 'address'],
    ['IPv6 loopback', 'http://[::1]/zgoda', 'address'],
    ['a private network', 'https://10.1.2.3/zgoda', 'address'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data', 'address'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/zgoda', 'address'],
    ['credentials in the URL', 'https://user:pass@93.184.216.34/zgoda', 'credentials'],
  ])(
    'refuses a webhook URL to %s at registration and on update (422 webhook_url_not_allowed)',
    async (_, url, reason) => {
      const key = `ssrf-${tag()}`;
      const created = await t.request('POST', '/v1/systems', {
        key,
        name: 'S',
        kind: 'webhook',
        webhook: { url, secret: secret() },
      });
      expect(created.status).toBe(422);
      expect(created.headers.get('content-type')).toContain('application/problem+json');
      expect(created.body).toMatchObject({ code: 'webhook_url_not_allowed', field: 'webhook.url', reason });
      expect(created.text).not.toContain('user:pass');
      expect((await t.request('GET', `/v1/systems/${key}`)).status).toBe(404);

      const ok = await t.request('POST', '/v1/systems', {
        key,
        name: 'S',
        kind: 'webhook',
        webhook: { url: 'https://93.184.216.34/zgoda', secret: secret() },
      });
      expect(ok.status).toBe(201);
      const patched = await t.request('PATCH', `/v1/systems/${key}`, { webhook: { url } });
      expect(patched.status).toBe(422);
      expect(patched.body).toMatchObject({ code: 'webhook_url_not_allowed', field: 'webhook.url', reason });
      expect((await t.request('GET', `/v1/systems/${key}`)).body.webhook.url).toBe('https://93.184.216.34/zgoda');
    },
  );

  it.each([
    ['a webhook system without a webhook', { kind: 'webhook' }, ['webhook']],
    [
      'a manual system with a webhook',
      { kind: 'manual', webhook: { url: 'https://x.example.com', secret: 'a'.repeat(30) } },
      ['webhook'],
    ],
    [
      'a short secret',
      { kind: 'webhook', webhook: { url: 'https://x.example.com', secret: 'short' } },
      ['webhook.secret'],
    ],
    [
      'a URL without a scheme',
      { kind: 'webhook', webhook: { url: 'x.example.com', secret: 'a'.repeat(30) } },
      ['webhook.url'],
    ],
    ['an unknown kind', { kind: 'ftp' }, ['kind']],
    [
      'a processor outside the EEA without safeguards',
      { kind: 'manual', processor: { name: 'Mailer Inc.', contact: 'privacy@mailer.example.com', country: 'US' } },
      ['processor.transferSafeguards'],
    ],
    [
      'a lower-case country',
      { kind: 'manual', processor: { name: 'A', contact: 'b', country: 'pl' } },
      ['processor.country'],
    ],
    ['a bad key', { key: 'Shop DB', kind: 'manual' }, ['key']],
  ])('refuses %s with 422 naming the field', async (_name, over, fields) => {
    const res = await t.request('POST', '/v1/systems', { key: `s-${tag()}`, name: 'S', ...over });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(fields);
    expect(res.text).not.toContain('a'.repeat(30));
  });

  it('accepts a processor outside the EEA with safeguards; PATCH changes it and can deactivate a system', async () => {
    const key = `mailer-${tag()}`;
    const created = await t.request('POST', '/v1/systems', {
      key,
      name: 'Newsletter tool',
      kind: 'manual',
      dataCategories: ['email'],
      processor: {
        name: 'Mailer Inc.',
        contact: 'privacy@mailer.example.com',
        country: 'US',
        transferSafeguards: 'EU-US Data Privacy Framework (adequacy decision 2023/1795)',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.processor.country).toBe('US');
    expect((await systems.listActive()).map((s) => s.key)).toContain(key);

    const unsafe = await t.request('PATCH', `/v1/systems/${key}`, {
      processor: { name: 'M', contact: 'c', country: 'IN' },
    });
    expect(unsafe.status).toBe(422);
    const off = await t.request('PATCH', `/v1/systems/${key}`, { active: false, processor: null, name: 'Old tool' });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ active: false, processor: null, name: 'Old tool', kind: 'manual' });
    expect((await systems.listActive()).map((s) => s.key)).not.toContain(key);
    expect((await t.request('PATCH', `/v1/systems/${key}`, { key: 'renamed' })).status).toBe(422);
    expect((await t.request('PATCH', '/v1/systems/nope-nope', { name: 'x' })).body.code).toBe('unknown_system');
    expect((await t.request('GET', '/v1/systems/nope-nope')).status).toBe(404);
  });

  it('pages the list by key and needs systems:manage', async () => {
    for (let i = 0; i < 3; i++)
      await t.request('POST', '/v1/systems', { key: `page-${i}-${tag()}`, name: 'P', kind: 'manual' });
    const first = await t.request('GET', '/v1/systems?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await t.request('GET', `/v1/systems?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].key > first.body.items[1].key).toBe(true);
    const reader = await t.request('POST', '/v1/api-keys', { name: 'ro', scopes: ['subjects:read'] });
    expect((await t.request('GET', '/v1/systems', undefined, { key: reader.body.key })).status).toBe(403);
    expect(
      (
        await t.request(
          'POST',
          '/v1/systems',
          { key: `x-${tag()}`, name: 'x', kind: 'manual' },
          { key: reader.body.key },
        )
      ).status,
    ).toBe(403);
  });
});
