import { randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose, uniqueEmail } from './consent-fixtures';
import { checkedFetch } from '../support/contract';

// The decision reads subject facts, merges, identifiers and suppression inside one statement per call
// (single) or per batch; these are the cases where that statement, not the rules, could go wrong.
describe('consent: the one-statement decision paths', () => {
  let t: TestApp;
  let news: string;
  let reader: string;
  const check = (q: string) => t.request('GET', `/v1/consents/check?${q}`, undefined, { key: reader });
  const batch = (body: Record<string, unknown>) =>
    t.request('POST', '/v1/consents/check', { purpose: news, channel: 'email', ...body }, { key: reader });
  const record = (subjectId: string, body: Record<string, unknown> = {}) =>
    t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant(body) });

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'paths', { channels: ['email', 'sms'] });
    reader = (await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['consent:read'] })).body.key;
  });
  afterAll(() => t.close());

  it('a merged id answers with the survivor: its consents and its restriction, singly and in a batch', async () => {
    const survivor = await createSubject(t);
    const merged = await createSubject(t);
    const g = await record(survivor);
    expect((await t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: merged })).status).toBe(200);

    expect((await check(`purpose=${news}&channel=email&subjectId=${merged}`)).body).toMatchObject({
      allowed: true,
      reason: 'granted',
      consentId: g.body.id,
    });
    const res = await batch({ subjectIds: [merged, survivor.toUpperCase()] });
    expect(res.body.results).toEqual([
      expect.objectContaining({ subjectId: merged, allowed: true, reason: 'granted', consentId: g.body.id }),
      expect.objectContaining({ subjectId: survivor.toUpperCase(), allowed: true, reason: 'granted' }),
    ]);

    await t.request('POST', `/v1/subjects/${survivor}/restriction`, { reason: 'accuracy_contested' });
    expect((await check(`purpose=${news}&channel=email&subjectId=${merged}`)).body).toMatchObject({
      allowed: false,
      reason: 'restricted',
    });
    expect((await batch({ subjectIds: [merged] })).body.results[0]).toMatchObject({ reason: 'restricted' });
  });

  it('an erased person is unknown but suppressed by e-mail, singly and in a batch', async () => {
    const email = uniqueEmail('erased');
    const id = await createSubject(t, { email });
    await record(id);
    expect((await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'staff:request' })).status).toBe(204);

    const q = `purpose=${news}&channel=email&email=${encodeURIComponent(email.toUpperCase())}`;
    expect((await check(q)).body).toMatchObject({ allowed: false, reason: 'suppressed' });
    expect((await check(`purpose=${news}&channel=email&subjectId=${id}`)).body).toMatchObject({
      allowed: false,
      reason: 'erased',
    });
    const res = await batch({ emails: [email, uniqueEmail('never'), 'not an e-mail'] });
    expect(res.body.results.map((r: { reason: string }) => r.reason)).toEqual([
      'suppressed',
      'unknown_subject',
      'unknown_subject',
    ]);
    expect(res.body.results[0].email).toBe(email);
  });

  it('an external id held in two systems by two people identifies nobody; by one person, that person', async () => {
    const ext = `P-${randomBytes(4).toString('hex')}`;
    const shop = await createSubject(t, { externalId: ext, externalSystem: 'shop' });
    await createSubject(t, { externalId: ext, externalSystem: 'crm' });
    await record(shop);
    expect((await check(`purpose=${news}&channel=email&externalId=${ext}`)).body.reason).toBe('unknown_subject');
    expect((await batch({ externalIds: [ext] })).body.results[0].reason).toBe('unknown_subject');

    const own = `Q-${randomBytes(4).toString('hex')}`;
    const one = await createSubject(t, { externalId: own, externalSystem: 'shop' });
    await record(one);
    expect((await check(`purpose=${news}&channel=email&externalId=${own}`)).body.reason).toBe('granted');
    expect((await batch({ externalIds: [own, own] })).body.results.map((r: { reason: string }) => r.reason)).toEqual([
      'granted',
      'granted',
    ]);
  });

  it('a batch tells channel_not_consented from no_consent and honours a withdrawal at once', async () => {
    const smsOnly = await createSubject(t);
    await record(smsOnly, { channel: 'sms' });
    const nothing = await createSubject(t);
    const granted = await createSubject(t);
    await record(granted);
    const first = await batch({ subjectIds: [smsOnly, nothing, granted, randomUUID()] });
    expect(first.body.results.map((r: { reason: string }) => r.reason)).toEqual([
      'channel_not_consented',
      'no_consent',
      'granted',
      'unknown_subject',
    ]);
    await record(granted, { decision: 'withdrawn' });
    expect((await batch({ subjectIds: [granted] })).body.results[0]).toMatchObject({
      allowed: false,
      reason: 'withdrawn',
    });
  });

  it('the audience with contacts: the primary e-mail after a merge, the phone on sms, ids only without the scope', async () => {
    const key = await publishedPurpose(t, 'audp', { channels: ['email', 'sms'] });
    const email = uniqueEmail('primary');
    const survivor = await createSubject(t, { email, phone: '+48 601 234 567' });
    const merged = await createSubject(t, { email: uniqueEmail('moved') });
    for (const channel of ['email', 'sms']) {
      await t.request('POST', `/v1/subjects/${survivor}/consents`, { purpose: key, ...grant({ channel }) });
    }
    expect((await t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: merged })).status).toBe(200);
    const read = async (channel: string, auth: string) => {
      const res = await checkedFetch(`${t.baseUrl}/v1/purposes/${key}/audience?channel=${channel}`, {
        headers: { authorization: `Bearer ${auth}` },
      });
      expect(res.status).toBe(200);
      return (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, string>);
    };
    expect(await read('email', t.adminKey)).toEqual([{ subjectId: survivor, email }]);
    expect(await read('sms', t.adminKey)).toEqual([{ subjectId: survivor, phone: '+48601234567' }]);
    expect(await read('sms', reader)).toEqual([{ subjectId: survivor }]);
  });

  it('refuses an unknown purpose and a channel not offered in a batch too', async () => {
    const id = await createSubject(t);
    expect((await batch({ purpose: 'nope-nope', subjectIds: [id] })).body.code).toBe('unknown_purpose');
    expect((await batch({ channel: 'post', emails: [uniqueEmail()] })).body.code).toBe('channel_not_offered');
  });
});

describe('consent: the one-statement decision queries use their indexes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t.close());

  async function plan(sql: string, params: unknown[]): Promise<string> {
    return t.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      const rows = (await m.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it('the single decision probes the kept row, the subject and the projection by primary key', async () => {
    const { DECISION_BY_ID_SQL, DECISION_BY_IDENTIFIER_SQL } = await import('../../src/consent/consent.repository');
    const byId = await plan(DECISION_BY_ID_SQL, ['newsletter', randomUUID(), 'email']);
    expect(byId).toMatch(/decision_rows_pkey on decision_rows/);
    // The subject is read only when no kept row answers: a one-time filter on the row gates the lateral.
    expect(byId).toMatch(
      /One-Time Filter: \(d\.subject_id IS NULL\)[\s\S]*Index Scan using subjects_pkey on subjects g/,
    );
    expect(byId).toMatch(/consent_state_pkey on consent_state/);
    const byIdentifier = await plan(DECISION_BY_IDENTIFIER_SQL, ['newsletter', 'email', randomBytes(32), 'x', 'email']);
    expect(byIdentifier).toMatch(/ux_subject_identifiers_lookup/);
    expect(byIdentifier).toMatch(
      /decision_rows_pkey on decision_rows[\s\S]*One-Time Filter: \(d\.subject_id IS NULL\)/,
    );
    expect(byIdentifier).not.toMatch(/Seq Scan/);
  });

  it('the audience page joins subjects without reading them from the first id on', async () => {
    const { AUDIENCE_PAGE_SQL } = await import('../../src/consent/consent.repository');
    const text = await plan(AUDIENCE_PAGE_SQL, ['newsletter', 'email', randomUUID(), 1000]);
    // Whatever the join, the subjects scan starts at the keyset position, never at the first id.
    expect(text).toMatch(/on subjects s .*\n\s+Index Cond: .*id > '/);
    expect(text).not.toMatch(/Sort/);
  });
});
