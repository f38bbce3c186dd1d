import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose } from './consent-fixtures';

// WEBHOOK_ALLOW_PRIVATE_NETWORKS keeps its default (false) here: the installation's own network is off limits.
describe('consent: webhook subscriptions cannot reach internal addresses (SSRF)', () => {
  let t: TestApp;
  let receiver: Server;
  let internalUrl: string;
  let calls = 0;
  const secret = 'a-long-enough-webhook-secret';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      calls += 1;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    internalUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    t = await startTestApp({ role: 'all' });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => receiver.close(r));
  });

  it.each([
    ['loopback', () => internalUrl, 'address'],
    ['localhost by name', () => 'http://localhost:8080/hooks', 'address'],
    ['IPv6 loopback', () => 'http://[::1]:8080/hooks', 'address'],
    ['private network', () => 'https://10.0.0.7/hooks', 'address'],
    ['cloud metadata (link-local)', () => 'http://169.254.169.254/latest/meta-data', 'address'],
    ['IPv4-mapped IPv6 loopback', () => 'http://[::ffff:127.0.0.1]/hooks', 'address'],
    ['multicast', () => 'http://224.0.0.1/hooks', 'address'],
    ['credentials in the URL', () => 'https://user:pass@93.184.216.34/hooks', 'credentials'],
  ])('refuses %s at registration with 422 webhook_url_not_allowed', async (_, url, reason) => {
    const res = await t.request('POST', '/v1/consent-subscriptions', { url: url(), secret });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'webhook_url_not_allowed', field: 'url', reason });
    expect(JSON.stringify(res.body)).not.toContain('user:pass');
  });

  it('refuses a non-http scheme', async () => {
    const res = await t.request('POST', '/v1/consent-subscriptions', { url: 'file:///etc/passwd', secret });
    expect(res.status).toBe(422);
  });

  it('checks again at delivery: a URL that now leads inside is never called', async () => {
    const purpose = await publishedPurpose(t, 'ssrf');
    const sub = await t.request('POST', '/v1/consent-subscriptions', {
      url: 'http://93.184.216.34/hooks',
      secret,
      purposes: [purpose],
    });
    expect(sub.status).toBe(201);
    // What a DNS change after registration amounts to: the stored destination is now an internal one.
    await t.dataSource.query('UPDATE consent_subscriptions SET url = $1 WHERE id = $2', [internalUrl, sub.body.id]);

    const subjectId = await createSubject(t);
    const g = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose, ...grant() });
    expect(g.status).toBe(201);
    const delivery = await eventually(async () => {
      const [row] = await t.dataSource.query(
        'SELECT attempts, last_error, delivered_at FROM consent_webhook_deliveries WHERE subscription_id = $1',
        [sub.body.id],
      );
      return row?.attempts >= 1 ? row : null;
    });
    expect(delivery).toMatchObject({ last_error: 'destination_not_allowed_address', delivered_at: null });
    expect(calls).toBe(0);
  });
});
