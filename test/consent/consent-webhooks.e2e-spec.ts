import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/common/crypto/webhook-signature';
import { outboxJobId } from '../../src/outbox/outbox.service';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose } from './consent-fixtures';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('consent: consent.changed webhooks', () => {
  let t: TestApp;
  let receiver: Server;
  let url: string;
  const received: Received[] = [];
  let failNext = 0;
  const secret = 'a-long-enough-webhook-secret';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (failNext > 0) {
          failNext -= 1;
          res.writeHead(503).end();
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    // The receivers run on 127.0.0.1.
    t = await startTestApp({
      role: 'all',
      env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: true, CHANGES_WEBHOOK_INTERVAL_MS: 300 },
    });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => receiver.close(r));
  });

  it('delivers a signed consent.changed with ids only, through the outbox, retrying until the receiver accepts', async () => {
    const news = await publishedPurpose(t, 'hook');
    const ignored = await publishedPurpose(t, 'other');
    const sub = await t.request('POST', '/v1/consent-subscriptions', { url, secret, purposes: [news] });
    expect(sub.status).toBe(201);
    expect(JSON.stringify(sub.body)).not.toContain(secret);

    const subjectId = await createSubject(t);
    failNext = 1;
    const g = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() });
    await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: ignored, ...grant() });

    const delivered = await eventually(async () => {
      const ok = received.filter((r) => JSON.parse(r.body).data.eventId === g.body.id);
      return ok.length >= 2 ? ok : null;
    }, 20_000);
    // The first attempt got a 503; the retry carries the same payload, freshly signed.
    expect(delivered[0].body).toBe(delivered[1].body);
    const last = delivered[delivered.length - 1];
    const check = verifyWebhookSignature(
      secret,
      last.headers['x-zgoda-signature'] as string,
      last.body,
      Math.floor(Date.now() / 1000),
    );
    expect(check).toEqual({ ok: true });
    expect(JSON.parse(last.body)).toEqual({
      type: 'consent.changed',
      id: `${sub.body.id}:${g.body.id}`,
      occurredAt: g.body.recordedAt,
      data: {
        eventId: g.body.id,
        subjectId,
        purpose: news,
        channel: 'email',
        decision: 'granted',
        pending: false,
        version: 1,
        reason: null,
      },
    });
    expect(last.body).not.toMatch(/@example\.com/);
    // Subscribed to one purpose only.
    expect(received.some((r) => JSON.parse(r.body).data.purpose === ignored)).toBe(false);

    // The receiver has the second call before the worker records it: wait for the record.
    const row = await eventually(async () => {
      const [r] = await t.dataSource.query(
        `SELECT attempts, delivered_at FROM consent_webhook_deliveries WHERE subscription_id = $1 AND event_id = $2`,
        [sub.body.id, g.body.id],
      );
      return r?.delivered_at ? r : null;
    });
    expect(row.attempts).toBe(2);
    expect(row.delivered_at).toBeTruthy();
    await eventually(async () => {
      const [o] = await t.dataSource.query(`SELECT completed_at FROM outbox WHERE job_id = $1`, [
        outboxJobId('webhooks.consent-changed', `${sub.body.id}:${g.body.id}`),
      ]);
      return o?.completed_at;
    });

    // A withdrawal is announced too; a disabled subscription gets nothing more.
    await t.request('POST', `/v1/subjects/${subjectId}/consents`, {
      purpose: news,
      ...grant({ decision: 'withdrawn' }),
    });
    await eventually(async () => received.some((r) => JSON.parse(r.body).data.decision === 'withdrawn'));
    expect((await t.request('DELETE', `/v1/consent-subscriptions/${sub.body.id}`)).status).toBe(204);
    const count = received.length;
    await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() });
    await new Promise((r) => setTimeout(r, 1000));
    expect(received.length).toBe(count);
  });

  it('a re-run of a delivered job does not call the receiver again', async () => {
    const key = await publishedPurpose(t, 'rerun');
    const sub = await t.request('POST', '/v1/consent-subscriptions', { url, secret });
    const subjectId = await createSubject(t);
    const g = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: key, ...grant() });
    await eventually(async () => received.some((r) => JSON.parse(r.body).data.eventId === g.body.id));
    // The receiver has the call before the worker records it as delivered: wait for the record.
    await eventually(async () => {
      const [row] = await t.dataSource.query(
        'SELECT delivered_at FROM consent_webhook_deliveries WHERE subscription_id = $1 AND event_id = $2',
        [sub.body.id, g.body.id],
      );
      return row?.delivered_at;
    });
    const before = received.length;
    const { ConsentWebhooksService } = await import('../../src/consent/consent-webhooks.service');
    await t.get(ConsentWebhooksService).deliver({ subscriptionId: sub.body.id, eventId: g.body.id });
    expect(received.length).toBe(before);
  });

  it('delivers the change feed to a subscription with types, in order, retrying a failed change first', async () => {
    // Only this subscription from here on: the earlier tests' take every purpose.
    for (const s of (await t.request('GET', '/v1/consent-subscriptions')).body.items as { id: string }[]) {
      expect((await t.request('DELETE', `/v1/consent-subscriptions/${s.id}`)).status).toBe(204);
    }
    const news = await publishedPurpose(t, 'feedhook');
    const sub = await t.request('POST', '/v1/consent-subscriptions', {
      url,
      secret,
      types: ['consent_granted', 'consent_withdrawn', 'erasure'],
    });
    expect(sub.status).toBe(201);
    expect(sub.body.types).toEqual(['consent_granted', 'consent_withdrawn', 'erasure']);
    const subjectId = await createSubject(t);
    failNext = 1;
    expect((await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() })).status).toBe(
      201,
    );
    const withdrawn = { purpose: news, ...grant({ decision: 'withdrawn' }) };
    expect((await t.request('POST', `/v1/subjects/${subjectId}/consents`, withdrawn)).status).toBe(201);
    expect(
      (await t.request('POST', `/v1/subjects/${subjectId}/restriction`, { reason: 'accuracy_contested' })).status,
    ).toBe(200);
    expect((await t.request('POST', `/v1/subjects/${subjectId}/erase`, { reason: 'staff:test' })).status).toBe(204);

    const feed = () =>
      received
        .filter((r) => r.headers['x-zgoda-event'] === 'consent.feed')
        .map((r) => JSON.parse(r.body) as { id: string; data: { type: string; subjectId: string } })
        .filter((b) => b.data.subjectId === subjectId);
    // A wait, not a timing: the failed call is retried after its back-off, and the feed moves only past every
    // transaction older than its rows (cluster-wide, so a busy CI machine's other suites can hold it for a while).
    const got = await eventually(async () => (feed().length >= 4 ? feed() : null), 40_000);
    // The first delivery failed (503) and was repeated before anything after it; the restriction is not a type
    // this subscription takes.
    expect(got.map((b) => b.data.type)).toEqual(['consent_granted', 'consent_granted', 'consent_withdrawn', 'erasure']);
    expect(got[0].id).toBe(got[1].id);
    for (const r of received.filter((x) => x.headers['x-zgoda-event'] === 'consent.feed')) {
      expect(
        verifyWebhookSignature(secret, r.headers['x-zgoda-signature'] as string, r.body, Math.floor(Date.now() / 1000))
          .ok,
      ).toBe(true);
    }
    // Ids and decisions only: no address travels.
    expect(JSON.stringify(got)).not.toContain('@example.com');
    // The per-event consent.changed webhook is not sent to a feed subscription.
    expect(received.some((r) => r.headers['x-zgoda-event'] === 'consent.changed' && r.body.includes(news))).toBe(false);
    expect((await t.request('DELETE', `/v1/consent-subscriptions/${sub.body.id}`)).status).toBe(204);
  });
});
