import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, createSystem, download, unzip, WebhookReceiver, waitForStatus } from './support';

const SECRET = 'opengdpr-shop-secret-0123456789';

interface Received {
  raw: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A controller's call-back endpoint, keeping the raw bodies to check signatures as the spec says (8.8). */
async function callbackServer(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/opengdpr_callbacks`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Zgoda as an OpenGDPR processor (LEGAL item 23). */
describe('requests: OpenGDPR / OpenDSR', () => {
  let t: TestApp;
  let shop: WebhookReceiver;
  let controller: Awaited<ReturnType<typeof callbackServer>>;
  let key: string;
  let pem: string;

  beforeAll(async () => {
    controller = await callbackServer();
    shop = await WebhookReceiver.start(
      SECRET,
      (call) => ({
        status: 200,
        body:
          call.action === 'access'
            ? { status: 'done', data: { orders: [{ n: 1 }] } }
            : // The shop knows the people Zgoda knows, and says so when it finds no one.
              { status: 'done', found: call.subject.id !== null },
      }),
      () => t.baseUrl,
    );
    t = await startTestApp({
      role: 'all',
      // The controller's call-back receiver runs on 127.0.0.1.
      env: { PUBLIC_BASE_URL: 'https://zgoda.example.com', WEBHOOK_ALLOW_PRIVATE_NETWORKS: true },
    });
    await createSystem(t, {
      key: 'shop',
      name: 'Shop',
      kind: 'webhook',
      dataCategories: ['orders'],
      purposes: [],
      webhook: { url: shop.url, secret: SECRET },
    });
    key = (await t.request('POST', '/v1/api-keys', { name: 'controller', scopes: ['requests:write'] })).body.key;
    pem = (await t.request('GET', '/opengdpr/v1/processor-key.pem', undefined, { key: null })).text;
  });
  afterAll(async () => {
    await t?.close();
    await shop?.close();
    await controller?.close();
  });

  const signedBy = (raw: string, headers: { get(n: string): string | null } | Record<string, unknown>) => {
    const h = (n: string) =>
      ('get' in headers && typeof headers.get === 'function'
        ? headers.get(n)
        : (headers as Record<string, string>)[n.toLowerCase()]) as string;
    const ok = verify(
      'sha256',
      Buffer.from(raw),
      createPublicKey(pem),
      Buffer.from(h('X-OpenGDPR-Signature'), 'base64'),
    );
    return (
      ok &&
      h('X-OpenDSR-Signature') === h('X-OpenGDPR-Signature') &&
      h('X-OpenGDPR-Processor-Domain') === 'zgoda.example.com'
    );
  };
  const body = (over: Record<string, unknown> = {}) => ({
    subject_request_id: randomUUID(),
    subject_request_type: 'access',
    submitted_time: new Date(Date.now() - 3600_000).toISOString(),
    subject_identities: [{ identity_type: 'email', identity_value: 'nobody@example.com', identity_format: 'raw' }],
    api_version: '0.1',
    status_callback_urls: [controller.url],
    ...over,
  });
  const post = (b: unknown, path = '/opengdpr/v1/opengdpr_requests') =>
    t.request('POST', path, undefined, {
      key,
      raw: typeof b === 'string' ? b : JSON.stringify(b),
      headers: { 'content-type': 'application/json' },
    });

  it('describes itself, signed', async () => {
    const d = await t.request('GET', '/opengdpr/v1/discovery', undefined, { key: null });
    expect(d.status).toBe(200);
    expect(d.body).toEqual({
      api_version: '0.1',
      supported_identities: [
        { identity_type: 'email', identity_format: 'raw' },
        { identity_type: 'controller_customer_id', identity_format: 'raw' },
      ],
      supported_subject_request_types: ['access', 'portability', 'erasure'],
      processor_certificate: 'https://zgoda.example.com/opengdpr/v1/processor-key.pem',
    });
    expect(signedBy(d.text, d.headers)).toBe(true);
  });

  it('creates an access request, answers it with signed call-backs on every status change, and serves the results', async () => {
    const s = await createSubject(t);
    const b = body({
      subject_identities: [{ identity_type: 'email', identity_value: s.email, identity_format: 'raw' }],
    });
    const raw = JSON.stringify(b);
    const res = await post(raw);
    expect(res.status).toBe(201);
    expect(signedBy(res.text, res.headers)).toBe(true);
    expect(res.body).toMatchObject({
      subject_request_id: b.subject_request_id,
      encoded_request: Buffer.from(raw).toString('base64'),
    });
    expect(res.body.controller_id).toEqual(expect.any(String));
    expect(new Date(res.body.expected_completion_time).getTime()).toBeGreaterThan(Date.now() + 20 * 24 * 3600_000);
    expect(new Date(res.body.received_time).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // A retried POST gets the same answer; the same id with another body is refused.
    const again = await post(raw);
    expect(again.status).toBe(201);
    expect(again.body.received_time).toBe(res.body.received_time);
    const other = await post({ ...b, subject_request_type: 'erasure' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe(409);

    const calls = await eventually(async () => {
      const mine = controller.received.filter((r) => r.raw.includes(b.subject_request_id));
      return mine.some((r) => JSON.parse(r.raw).request_status === 'completed') ? mine : null;
    });
    for (const c of calls) {
      expect(signedBy(c.raw, c.headers)).toBe(true);
      expect(JSON.parse(c.raw)).toMatchObject({
        subject_request_id: b.subject_request_id,
        status_callback_url: controller.url,
        controller_id: res.body.controller_id,
      });
    }
    expect(calls.map((c) => JSON.parse(c.raw).request_status).sort()).toEqual(['completed', 'in_progress']);
    const completed = JSON.parse(calls.find((c) => JSON.parse(c.raw).request_status === 'completed')!.raw);
    expect(completed.results_url).toBe(
      `https://zgoda.example.com/opengdpr/v1/opengdpr_requests/${b.subject_request_id}/results`,
    );

    const status = await t.request('GET', `/opengdpr/v1/opengdpr_requests/${b.subject_request_id}`, undefined, { key });
    expect(status.status).toBe(200);
    expect(signedBy(status.text, status.headers)).toBe(true);
    expect(status.body).toMatchObject({
      request_status: 'completed',
      results_count: 1,
      extensions: { 'zgoda.example.com': { status: 'completed', resolution: 'fulfilled' } },
    });
    const zip = await download(`${t.baseUrl}/opengdpr/v1/opengdpr_requests/${b.subject_request_id}/results`, key);
    expect(zip.status).toBe(200);
    expect((await unzip(zip.body)).get('csv/shop/orders.csv')).toBe('\uFEFFn\r\n1\r\n');

    const del = await t.request('DELETE', `/opengdpr/v1/opengdpr_requests/${b.subject_request_id}`, undefined, { key });
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe(409);
    // Another controller's key does not see it.
    const otherKey = (await t.request('POST', '/v1/api-keys', { name: 'other', scopes: ['requests:write'] })).body.key;
    expect(
      (await t.request('GET', `/opengdpr/v1/opengdpr_requests/${b.subject_request_id}`, undefined, { key: otherKey }))
        .status,
    ).toBe(404);
  });

  it('does not follow a redirect from a call-back URL, and retries until the controller accepts (LEGAL item 23)', async () => {
    let elsewhere = 0;
    const target = createServer((_req, res) => {
      elsewhere += 1;
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/stolen`;
    const seen: { raw: string; headers: Record<string, unknown> }[] = [];
    // The first answer to each status is a redirect; the next attempt is accepted.
    const redirecting = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const first = !seen.some((x) => x.raw === raw);
        seen.push({ raw, headers: req.headers });
        if (first) res.writeHead(302, { location: targetUrl }).end();
        else res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/cb`;
      const b = body({ status_callback_urls: [url] });
      expect((await post(b)).status).toBe(201);
      await eventually(async () => {
        const rows = (await t.dataSource.query(
          `SELECT c.delivered_at FROM opengdpr_callbacks c WHERE c.subject_request_id = $1`,
          [b.subject_request_id],
        )) as { delivered_at: Date | null }[];
        return rows.length >= 2 && rows.every((r) => r.delivered_at) ? rows : null;
      }, 30_000);
      const statuses = seen.map((x) => JSON.parse(x.raw).request_status as string);
      for (const st of ['in_progress', 'completed']) expect(statuses.filter((x) => x === st).length).toBe(2);
      for (const x of seen) expect(signedBy(x.raw, x.headers)).toBe(true);
      expect(elsewhere).toBe(0);
    } finally {
      await new Promise((r) => redirecting.close(r));
      await new Promise((r) => target.close(r));
    }
  }, 60_000);

  it('erases through the v2 alias, and passes identities it does not know on to the systems', async () => {
    const s = await createSubject(t);
    const known = body({
      subject_request_type: 'erasure',
      subject_identities: [{ identity_type: 'email', identity_value: s.email, identity_format: 'raw' }],
    });
    expect((await post(known, '/opengdpr/v1/requests')).status).toBe(201);
    await eventually(async () => (await t.request('GET', `/v1/subjects/${s.id}`)).body.status === 'erased');

    const hashed = 'a'.repeat(64);
    const unknown = body({
      subject_request_type: 'erasure',
      subject_identities: [{ identity_type: 'email', identity_value: hashed, identity_format: 'sha256' }],
    });
    expect((await post(unknown)).status).toBe(201);
    const call = await eventually(async () =>
      shop.calls.find((c) => c.subject.identifiers.some((i) => i.value === hashed)),
    );
    expect(call.subject).toEqual({ id: null, identifiers: [{ kind: 'email', value: hashed, format: 'sha256' }] });
    const st = await eventually(async () => {
      const r = await t.request('GET', `/opengdpr/v1/requests/${unknown.subject_request_id}`, undefined, { key });
      return r.body.request_status === 'completed' ? r : null;
    });
    expect(st.body.results_url).toBeUndefined();
  });

  it('certifies an erasure that matched nobody as "no data found", not as erased (issue 13 item 1)', async () => {
    const b = body({
      subject_request_type: 'erasure',
      subject_identities: [{ identity_type: 'email', identity_value: 'stranger@example.com', identity_format: 'raw' }],
    });
    expect((await post(b)).status).toBe(201);
    const st = await eventually(async () => {
      const r = await t.request('GET', `/opengdpr/v1/requests/${b.subject_request_id}`, undefined, { key });
      return r.body.request_status === 'completed' ? r : null;
    });
    expect(st.body.extensions['zgoda.example.com']).toEqual({
      status: 'completed',
      resolution: 'fulfilled',
      resolution_code: 'no_data_found',
    });
    const [{ request_id: id }] = (await t.dataSource.query(
      `SELECT request_id FROM opengdpr_requests WHERE subject_request_id = $1`,
      [b.subject_request_id],
    )) as { request_id: string }[];
    const request = await t.request('GET', `/v1/requests/${id}`);
    expect(request.body).toMatchObject({ subjectId: null, resolutionCode: 'no_data_found' });
    expect(request.body.tasks.map((x: { system: string; found: boolean }) => `${x.system}:${x.found}`).sort()).toEqual([
      'shop:false',
      'zgoda:false',
    ]);
    const cert = await t.request('GET', `/v1/requests/${id}/certificate`);
    expect(cert.status).toBe(200);
    expect(cert.body.payload).toMatchObject({
      ver: 3,
      request: { resolution: 'fulfilled', outcome: 'no_data_found' },
      subject: { id: null, found: false, suppressed: false },
    });
    expect(
      cert.body.payload.systems.map((x: { key: string; outcome: string }) => `${x.key}:${x.outcome}`).sort(),
    ).toEqual(['shop:not_found', 'zgoda:not_found']);
  });

  it('answers a bad body 400 in the OpenGDPR error shape, without identity data', async () => {
    const bad = await post(
      body({
        subject_request_type: 'rectification',
        subject_identities: [
          { identity_type: 'email', identity_value: 'leak-me@example.com', identity_format: 'rot13' },
        ],
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe(400);
    expect(bad.body.error.errors).toEqual(
      expect.arrayContaining([
        {
          domain: 'Validation',
          reason: 'IllegalArgumentException',
          message: 'subject_request_type is required and must be one of access, portability, erasure.',
        },
      ]),
    );
    expect(bad.text).not.toContain('leak-me');
    const malformed = await post('{"subject_request_id": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 400, message: 'The body is not valid JSON.' });
    const noKey = await t.request('POST', '/opengdpr/v1/opengdpr_requests', body(), { key: null });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.code).toBe(401);
    const reader = (await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['requests:read'] })).body.key;
    expect((await t.request('POST', '/opengdpr/v1/opengdpr_requests', body(), { key: reader })).status).toBe(403);
  });
});

describe('requests: OpenGDPR cancellation while pending', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No worker: the work never starts, so the request stays pending.
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t?.close());

  it('cancels a pending request with 202, and then it is cancelled', async () => {
    const id = randomUUID();
    const created = await t.request('POST', '/opengdpr/v1/opengdpr_requests', {
      subject_request_id: id,
      subject_request_type: 'portability',
      submitted_time: new Date().toISOString(),
      subject_identities: [{ identity_type: 'controller_customer_id', identity_value: 'C-1', identity_format: 'raw' }],
    });
    expect(created.status).toBe(201);
    const pending = await t.request('GET', `/opengdpr/v1/opengdpr_requests/${id}`);
    expect(pending.body.request_status).toBe('pending');
    const del = await t.request('DELETE', `/opengdpr/v1/opengdpr_requests/${id}`);
    expect(del.status).toBe(202);
    expect(del.body).toMatchObject({ subject_request_id: id, api_version: '0.1' });
    const after = await t.request('GET', `/opengdpr/v1/opengdpr_requests/${id}`);
    expect(after.body.request_status).toBe('cancelled');
    expect((await t.request('DELETE', `/opengdpr/v1/opengdpr_requests/${id}`)).status).toBe(409);
    const internal = await t.request('GET', `/v1/requests?status=cancelled`);
    expect(internal.body.items).toHaveLength(1);
    await waitForStatus(t, internal.body.items[0].id, ['cancelled']);
  });
});
