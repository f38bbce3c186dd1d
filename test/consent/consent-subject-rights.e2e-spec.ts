import { SubjectRightsService } from '../../src/subjects/subject-rights.service';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose, uniqueEmail } from './consent-fixtures';
import { checkedFetch } from '../support/contract';

describe('consent: the subject’s rights override consent (restriction, objection, erasure, suppression, merge)', () => {
  let t: TestApp;
  let news: string;
  let reminders: string;
  const check = async (key: string, q: string, channel = 'email') =>
    (await t.request('GET', `/v1/consents/check?purpose=${key}&channel=${channel}&${q}`)).body;
  const record = (subjectId: string, key: string, over: Record<string, unknown> = {}) =>
    t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: key, ...grant(over) });
  const audience = async (key: string) => {
    const res = await checkedFetch(`${t.baseUrl}/v1/purposes/${key}/audience?channel=email`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    const text = await res.text();
    return text
      ? text
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { subjectId: string }).subjectId)
      : [];
  };

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'mkt', { marketing: true });
    reminders = await publishedPurpose(t, 'remind', { marketing: false });
  });
  afterAll(() => t.close());

  it('restricted (Art. 18): says no while the restriction lasts, and yes again once lifted', async () => {
    const subjectId = await createSubject(t);
    await record(subjectId, news);
    const res = await t.request('POST', `/v1/subjects/${subjectId}/restriction`, { reason: 'accuracy_contested' });
    expect(res.status).toBe(200);
    expect(await check(news, `subjectId=${subjectId}`)).toMatchObject({ allowed: false, reason: 'restricted' });
    expect(await audience(news)).not.toContain(subjectId);
    // Lifted once the subject was told (Art. 18(3)): no worker here, so staff record a call.
    const lifted = await t.request('DELETE', `/v1/subjects/${subjectId}/restriction`, {
      toldBy: 'phone',
      toldAt: new Date().toISOString(),
    });
    expect(lifted.status).toBe(200);
    expect((await check(news, `subjectId=${subjectId}`)).reason).toBe('granted');
    expect(await audience(news)).toContain(subjectId);
  });

  it('objected (Art. 21(3)): an objection to direct marketing takes effect at once, for marketing purposes only', async () => {
    const subjectId = await createSubject(t);
    await record(subjectId, news);
    await record(subjectId, reminders);
    await t.dataSource.transaction((m) => t.get(SubjectRightsService).setObjection(m, subjectId, 'direct_marketing'));
    expect(await check(news, `subjectId=${subjectId}`)).toMatchObject({ allowed: false, reason: 'objected' });
    // A new grant does not override the objection either.
    await record(subjectId, news);
    expect((await check(news, `subjectId=${subjectId}`)).reason).toBe('objected');
    expect((await check(reminders, `subjectId=${subjectId}`)).reason).toBe('granted');
    expect(await audience(news)).not.toContain(subjectId);
  });

  it('objected to named purposes (Art. 21(1)): no for those purposes on every channel at once, others untouched', async () => {
    const profiling = await publishedPurpose(t, 'profil', {
      legalBasis: 'legitimate_interests',
      marketing: false,
      channels: ['email', 'post'],
    });
    const subjectId = await createSubject(t);
    const other = await createSubject(t);
    await record(subjectId, news);
    expect((await check(profiling, `subjectId=${subjectId}`, 'post')).reason).toBe('legal_basis');

    // Not verified yet: the objection still stops the purpose at once (Art. 18(1)(d) while it is assessed).
    const filed = await t.request('POST', '/v1/requests', { type: 'objection', subjectId, purposes: [profiling] });
    expect(filed.status).toBe(201);
    expect(filed.body.status).toBe('awaiting_verification');
    for (const channel of ['email', 'post'])
      expect(await check(profiling, `subjectId=${subjectId}`, channel)).toMatchObject({
        allowed: false,
        reason: 'objected',
      });
    // The batch answers the same; another person and another purpose are left alone.
    const batch = await t.request('POST', '/v1/consents/check', {
      purpose: profiling,
      channel: 'post',
      subjectIds: [subjectId, other],
    });
    expect(batch.body.results.map((r: { reason: string }) => r.reason)).toEqual(['objected', 'legal_basis']);
    expect(await check(news, `subjectId=${subjectId}`)).toMatchObject({ allowed: true, reason: 'granted' });
    expect((await t.request('GET', `/v1/subjects/${subjectId}`)).body.objections.purposes).toEqual([profiling]);
  });

  it('erased and suppressed: an erased contact stays suppressed when re-imported (LEGAL item 7)', async () => {
    const email = uniqueEmail('erased');
    const subjectId = await createSubject(t, { email });
    const g = await record(subjectId, news, { evidence: { ip: '198.51.100.23', userAgent: 'UA/2' } });
    expect((await check(news, `email=${encodeURIComponent(email)}`)).reason).toBe('granted');

    const erased = await t.request('POST', `/v1/subjects/${subjectId}/erase`, { reason: 'test:erasure' });
    expect(erased.status).toBe(204);
    expect(await check(news, `subjectId=${subjectId}`)).toMatchObject({ allowed: false, reason: 'erased' });
    expect(await check(news, `email=${encodeURIComponent(email)}`)).toMatchObject({
      allowed: false,
      reason: 'suppressed',
    });
    expect(await audience(news)).not.toContain(subjectId);

    // The proof survives with ids and hashes; the evidence (IP address, user agent) is gone.
    const proof = await t.request('GET', `/v1/subjects/${subjectId}/consents/${g.body.id}/proof`);
    expect(proof.status).toBe(200);
    expect(proof.body.textHashMatches).toBe(true);
    expect(proof.body.evidence).toBeNull();
    expect(proof.body.evidenceSha256).toMatch(/^[0-9a-f]{64}$/);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM consent_evidence WHERE subject_id = $1`, [
      subjectId,
    ]);
    expect(n).toBe(0);

    // No new decisions for an erased subject.
    const again = await record(subjectId, news);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('subject_erased');

    // Re-imported: a new subject, but the identifier is on the suppression list.
    const reimport = await t.request('POST', '/v1/consents', {
      purpose: news,
      subject: { email },
      ...grant({ source: { method: 'import', location: 'crm-export-2025' } }),
    });
    expect(reimport.status).toBe(201);
    expect(reimport.body.subjectCreated).toBe(true);
    const newId = reimport.body.subjectId;
    expect(newId).not.toBe(subjectId);
    expect(await check(news, `subjectId=${newId}`)).toMatchObject({ allowed: false, reason: 'suppressed' });
    expect((await check(news, `email=${encodeURIComponent(email)}`)).reason).toBe('suppressed');
    expect(await audience(news)).not.toContain(newId);
    // Suppression is about direct marketing; other consents of the new record work.
    await record(newId, reminders);
    expect((await check(reminders, `subjectId=${newId}`)).reason).toBe('granted');
    const batch = await t.request('POST', '/v1/consents/check', { purpose: news, channel: 'email', emails: [email] });
    expect(batch.body.results[0]).toMatchObject({ email, allowed: false, reason: 'suppressed' });
  });

  it('merges: the survivor carries the latest decision of both records and their whole history', async () => {
    const survivor = await createSubject(t);
    const merged = await createSubject(t);
    await record(survivor, news);
    await record(merged, news, { decision: 'withdrawn' });
    await record(merged, news, { channel: 'sms' });
    const res = await t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: merged });
    expect(res.status).toBe(200);

    expect((await check(news, `subjectId=${survivor}`)).reason).toBe('withdrawn');
    expect((await check(news, `subjectId=${survivor}`, 'sms')).reason).toBe('granted');
    // The old id keeps answering, for the survivor.
    expect((await check(news, `subjectId=${merged}`, 'sms')).reason).toBe('granted');
    const history = await t.request('GET', `/v1/subjects/${survivor}/consents/history`);
    expect(history.body.items.map((e: { decision: string; channel: string }) => `${e.decision}:${e.channel}`)).toEqual([
      'granted:email',
      'withdrawn:email',
      'granted:sms',
    ]);
    const asOf = await t.request(
      'GET',
      `/v1/subjects/${survivor}/consents?at=${encodeURIComponent(new Date().toISOString())}`,
    );
    const mine = asOf.body.items.filter((i: { purpose: string }) => i.purpose === news);
    expect(mine.map((i: { status: string }) => i.status)).toEqual(['withdrawn', 'granted']);
  });
});
