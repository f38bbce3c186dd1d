import {
  audience,
  createZgodaClient,
  importFile,
  readChanges,
  unwrap,
  ZgodaClient,
  ZgodaProblem,
} from '../../clients/typescript/src';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose, uniqueEmail } from '../consent/consent-fixtures';

/**
 * Issue 14 item 4: the typed client generated from the committed OpenAPI document (clients/typescript), used the
 * way an integrator's code uses it, against the running service: check, batch, audience, changes, import.
 */
describe('clients/typescript against the running service', () => {
  let t: TestApp;
  let client: ZgodaClient;
  let news: string;

  beforeAll(async () => {
    t = await startTestApp({ role: 'all' });
    client = createZgodaClient({ baseUrl: t.baseUrl, apiKey: t.env.ADMIN_API_KEY! });
    news = await publishedPurpose(t, 'news', { channels: ['email', 'sms'] });
  });

  afterAll(() => t.close());

  it('checks one person and a batch, typed, and turns an error answer into a ZgodaProblem', async () => {
    const email = uniqueEmail('client');
    const id = await createSubject(t, { email });
    expect((await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: news, ...grant() })).status).toBe(201);

    const one = unwrap(
      await client.GET('/v1/consents/check', { params: { query: { purpose: news, channel: 'email', email } } }),
    );
    expect(one).toMatchObject({ allowed: true, reason: 'granted', version: 1 });
    expect(one.decisionId).toMatch(/^[0-9a-f-]{36}$/);

    const batch = unwrap(
      await client.POST('/v1/consents/check', {
        body: { purpose: news, channel: 'email', emails: [email, uniqueEmail('nobody')] },
      }),
    );
    expect(batch.results.map((r) => [r.allowed, r.reason])).toEqual([
      [true, 'granted'],
      [false, 'unknown_subject'],
    ]);

    const bad = await client.GET('/v1/consents/check', {
      params: { query: { purpose: 'no-such-purpose', channel: 'email', email } },
    });
    expect(() => unwrap(bad)).toThrow(ZgodaProblem);
    expect(() => unwrap(bad)).toThrow(expect.objectContaining({ status: 422, code: 'unknown_purpose' }));
  });

  it('streams the audience and follows the change feed until it is caught up', async () => {
    const externalId = `crm-${Date.now()}`;
    const id = await createSubject(t, { externalId });
    const start = unwrap(await client.GET('/v1/changes', { params: { query: { limit: 1000 } } })).next ?? undefined;
    expect(
      (await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: news, ...grant({ channel: 'sms' }) })).status,
    ).toBe(201);

    const listed: string[] = [];
    for await (const line of audience(client, news, 'sms')) listed.push(line.subjectId);
    expect(listed).toContain(id);

    // A change is listed once every older transaction in the cluster has ended: poll as a mailing tool would.
    const change = await eventually(async () => {
      for await (const page of readChanges(client, { after: start, types: ['consent_granted'] })) {
        const mine = page.changes.find((c) => c.subjectId === id);
        if (mine) return mine;
      }
      return null;
    });
    expect(change).toMatchObject({ type: 'consent_granted', externalId });
    expect(change.decisions).toContainEqual({ purpose: news, channel: 'sms', allowed: true, reason: 'granted' });
  });

  it('imports a file and waits for it to end, reporting progress', async () => {
    // Expressed after the text was published (the purpose's setup), before now.
    const occurredAt = new Date(Date.now() - 1).toISOString();
    const emails = [uniqueEmail('imp'), uniqueEmail('imp')];
    const file = emails
      .map((email) =>
        JSON.stringify({ subject: { email }, purpose: news, channel: 'email', decision: 'granted', occurredAt }),
      )
      .join('\n');
    const seen: string[] = [];
    const done = await importFile(client, `${file}\n`, {
      defaults: { locale: 'pl', version: 1, source: { method: 'import' } },
      pollMs: 100,
      onProgress: (s) => seen.push(s.status),
    });
    expect(done.status).toBe('completed');
    expect(done.rows).toEqual({ read: 2, imported: 2, skipped: 0, failed: 0 });
    expect(seen[seen.length - 1]).toBe('completed');
    const check = unwrap(
      await client.POST('/v1/consents/check', { body: { purpose: news, channel: 'email', emails } }),
    );
    expect(check.results.every((r) => r.allowed)).toBe(true);
  });
});
