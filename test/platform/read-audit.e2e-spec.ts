import { createSubject, grant, publishedPurpose } from '../consent/consent-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { checkedFetch } from '../support/contract';

/** Issue 13 item 16 (Art. 5(2), 32): every API read that returns decrypted personal data is on record. */
describe('platform: reads of personal data are audited', () => {
  let t: TestApp;
  let news: string;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'news');
  });
  afterAll(() => t?.close());

  const entries = async (action: string, targetId: string) =>
    (await t.request('GET', `/v1/audit?action=${action}&targetId=${targetId}`)).body.items as {
      actor: { type: string };
      subjectId: string | null;
      data: Record<string, unknown>;
    }[];

  it('records a subject read by id and by lookup, with the principal and ids only', async () => {
    const email = `read.${Date.now()}@example.com`;
    const id = await createSubject(t, { email });
    expect(await entries('subject.viewed', id)).toHaveLength(0);
    expect((await t.request('GET', `/v1/subjects/${id}`)).status).toBe(200);
    expect((await t.request('GET', `/v1/subjects?email=${encodeURIComponent(email)}`)).body.items).toHaveLength(1);
    const viewed = await entries('subject.viewed', id);
    expect(viewed.map((e) => e.data).reverse()).toEqual([{ via: 'api' }, { via: 'lookup', by: 'email' }]);
    expect(viewed.every((e) => e.actor.type === 'api_key' && e.subjectId === id)).toBe(true);
    expect(JSON.stringify(viewed)).not.toContain(email);
    // A lookup that finds nobody read nobody's data.
    const before = (await t.request('GET', '/v1/audit?action=subject.viewed&limit=500')).body.items.length;
    await t.request('GET', `/v1/subjects?email=${encodeURIComponent(`nobody.${email}`)}`);
    expect((await t.request('GET', '/v1/audit?action=subject.viewed&limit=500')).body.items).toHaveLength(before);
  });

  it('records a consent proof that carries evidence (IP, user agent), not one without', async () => {
    const id = await createSubject(t);
    const withEvidence = await t.request('POST', `/v1/subjects/${id}/consents`, {
      purpose: news,
      ...grant({ evidence: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0' } }),
    });
    const without = await t.request('POST', `/v1/subjects/${id}/consents`, {
      purpose: news,
      ...grant({ channel: 'sms' }),
    });
    for (const e of [withEvidence, without]) {
      const proof = await t.request('GET', `/v1/subjects/${id}/consents/${e.body.id}/proof`);
      expect(proof.status).toBe(200);
    }
    const viewed = await entries('consent.proof_viewed', withEvidence.body.id);
    expect(viewed).toEqual([expect.objectContaining({ subjectId: id, data: { evidence: true } })]);
    expect(JSON.stringify(viewed)).not.toContain('203.0.113.7');
    expect(await entries('consent.proof_viewed', without.body.id)).toHaveLength(0);
  });

  it('records an audience export with contacts, not one with ids only', async () => {
    const id = await createSubject(t);
    await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: news, ...grant() });
    const idsOnly = (await t.request('POST', '/v1/api-keys', { name: 'mailer', scopes: ['consent:read'] })).body.key;
    const plain = await checkedFetch(`${t.baseUrl}/v1/purposes/${news}/audience?channel=email`, {
      headers: { authorization: `Bearer ${idsOnly}` },
    });
    expect(await plain.text()).toContain(id);
    expect(await entries('consent.audience_exported', news)).toHaveLength(0);
    const full = await checkedFetch(`${t.baseUrl}/v1/purposes/${news}/audience?channel=email`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(await full.text()).toContain('@example.com');
    expect(await entries('consent.audience_exported', news)).toEqual([
      expect.objectContaining({ data: { channel: 'email', contacts: true } }),
    ]);
  });
});
