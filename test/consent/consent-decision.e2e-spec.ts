import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { AudienceService } from '../../src/consent/audience.service';
import { SubjectLookupService } from '../../src/subjects/subject-lookup.service';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose, uniqueEmail } from './consent-fixtures';
import { checkedFetch } from '../support/contract';
import { validationPipe } from '../../src/common/validation/validation-pipe';
import { DecisionQuery } from '../../src/consent/consent-decision.dto';

describe('consent: the decision API', () => {
  let t: TestApp;
  let news: string;
  let reader: string;
  const check = (q: string) => t.request('GET', `/v1/consents/check?${q}`, undefined, { key: reader });
  const record = (subjectId: string, body: Record<string, unknown>) =>
    t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant(body) });

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'dec', { channels: ['email', 'sms', 'phone'] });
    reader = (await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['consent:read'] })).body.key;
  });
  afterAll(() => t.close());

  it('granted: allowed, with the consent id, version and time of the grant; a withdrawal is honoured by the very next check', async () => {
    const subjectId = await createSubject(t);
    const g = await record(subjectId, {});
    const yes = await check(`purpose=${news}&channel=email&subjectId=${subjectId}`);
    expect(yes.status).toBe(200);
    expect(yes.body).toMatchObject({
      allowed: true,
      reason: 'granted',
      consentId: g.body.id,
      version: 1,
      grantedAt: g.body.recordedAt,
    });
    expect(yes.body.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    await record(subjectId, { decision: 'withdrawn' });
    expect((await check(`purpose=${news}&channel=email&subjectId=${subjectId}`)).body).toMatchObject({
      allowed: false,
      reason: 'withdrawn',
    });
  });

  it('no_consent, refused, channel_not_consented and unknown_subject (not a 404)', async () => {
    const subjectId = await createSubject(t);
    expect((await check(`purpose=${news}&channel=email&subjectId=${subjectId}`)).body.reason).toBe('no_consent');
    await record(subjectId, { channel: 'sms', decision: 'refused' });
    expect((await check(`purpose=${news}&channel=sms&subjectId=${subjectId}`)).body).toMatchObject({
      allowed: false,
      reason: 'refused',
    });
    await record(subjectId, { channel: 'email' });
    // Consent for e-mail never covers phone calls (PKE art. 398).
    expect((await check(`purpose=${news}&channel=phone&subjectId=${subjectId}`)).body).toMatchObject({
      allowed: false,
      reason: 'channel_not_consented',
    });
    const unknown = await check(`purpose=${news}&channel=email&subjectId=${randomUUID()}`);
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ allowed: false, reason: 'unknown_subject' });
    const byEmail = await check(`purpose=${news}&channel=email&email=${encodeURIComponent(uniqueEmail('nobody'))}`);
    expect(byEmail.body).toMatchObject({ allowed: false, reason: 'unknown_subject' });
  });

  it('finds the subject by e-mail, phone or external id', async () => {
    const email = uniqueEmail('lookup');
    const externalId = `crm-${randomUUID()}`;
    const subjectId = await createSubject(t, { email, externalId, phone: '+48 601 234 567' });
    await record(subjectId, {});
    for (const q of [
      `email=${encodeURIComponent(email.toUpperCase())}`,
      `externalId=${encodeURIComponent(externalId)}`,
      `phone=${encodeURIComponent('601234567')}`,
    ]) {
      expect((await check(`purpose=${news}&channel=email&${q}`)).body).toMatchObject({
        allowed: true,
        reason: 'granted',
      });
    }
    const two = await check(`purpose=${news}&channel=email&subjectId=${subjectId}&email=${encodeURIComponent(email)}`);
    expect(two.status).toBe(422);
  });

  it('expired: says no from the instant of expiry, with no job involved', async () => {
    const subjectId = await createSubject(t);
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    await record(subjectId, { expiresAt });
    // Until when the answer holds by time alone: a marketing system may keep it that long.
    expect((await check(`purpose=${news}&channel=email&subjectId=${subjectId}`)).body).toMatchObject({
      reason: 'granted',
      validUntil: expiresAt,
    });
    await new Promise((r) => setTimeout(r, Math.max(0, new Date(expiresAt).getTime() - Date.now()) + 10));
    expect((await check(`purpose=${news}&channel=email&subjectId=${subjectId}`)).body).toMatchObject({
      allowed: false,
      reason: 'expired',
    });
    const states = await t.request('GET', `/v1/subjects/${subjectId}/consents`);
    expect(
      states.body.items.find((i: { purpose: string; channel: string }) => i.purpose === news && i.channel === 'email'),
    ).toMatchObject({
      status: 'expired',
      expiresAt,
    });
  });

  it('a purpose validityDays bounds every grant', async () => {
    const key = await publishedPurpose(t, 'valid', { validityDays: 30 });
    const subjectId = await createSubject(t);
    const g = await t.request('POST', `/v1/subjects/${subjectId}/consents`, {
      purpose: key,
      ...grant({ expiresAt: '2099-01-01T00:00:00Z' }),
    });
    const days = (new Date(g.body.expiresAt).getTime() - new Date(g.body.recordedAt).getTime()) / 86_400_000;
    expect(days).toBe(30);
  });

  it('under_age: a grant stops counting when a rectified birth date shows a child, and a guardian cannot consent to an 18+ purpose', async () => {
    const year = new Date().getUTCFullYear();
    const subjectId = await createSubject(t);
    await record(subjectId, {});
    expect((await check(`purpose=${news}&channel=email&subjectId=${subjectId}`)).body.reason).toBe('granted');
    // Art. 16 rectification: the person turns out to be 12; their own consent never counted (Art. 8).
    expect((await t.request('PATCH', `/v1/subjects/${subjectId}`, { birthDate: `${year - 12}-03-01` })).status).toBe(
      200,
    );
    expect((await check(`purpose=${news}&channel=email&subjectId=${subjectId}`)).body).toMatchObject({
      allowed: false,
      reason: 'under_age',
    });
    await record(subjectId, { expressedBy: 'guardian', guardian: { name: 'Anna Opiekun' } });
    // The guardian's consent holds until the child turns 16: midnight in Poland on that birthday.
    const sixteenth = DateTime.fromISO(`${year + 4}-03-01`, { zone: 'Europe/Warsaw' })
      .toUTC()
      .toISO();
    expect((await check(`purpose=${news}&channel=email&subjectId=${subjectId}`)).body).toMatchObject({
      reason: 'granted',
      validUntil: sixteenth,
    });

    const adultOnly = await publishedPurpose(t, 'adult', { minimumAge: 18 });
    const child = await createSubject(t, { birthDate: `${year - 12}-01-01` });
    const byGuardian = await t.request('POST', `/v1/subjects/${child}/consents`, {
      purpose: adultOnly,
      ...grant({ expressedBy: 'guardian', guardian: { name: 'Anna Opiekun' } }),
    });
    expect(byGuardian.status).toBe(201);
    expect((await check(`purpose=${adultOnly}&channel=email&subjectId=${child}`)).body.reason).toBe('under_age');
  });

  it('legal_basis: a purpose resting on a contract needs no consent, except marketing on electronic channels', async () => {
    const key = await publishedPurpose(t, 'orders', {
      legalBasis: 'contract',
      marketing: false,
      channels: ['email', 'post'],
    });
    const subjectId = await createSubject(t);
    expect((await check(`purpose=${key}&channel=email&subjectId=${subjectId}`)).body).toMatchObject({
      allowed: true,
      reason: 'legal_basis',
    });
    const promo = await publishedPurpose(t, 'postal', {
      legalBasis: 'legitimate_interests',
      channels: ['email', 'post'],
    });
    expect((await check(`purpose=${promo}&channel=post&subjectId=${subjectId}`)).body.reason).toBe('legal_basis');
    expect((await check(`purpose=${promo}&channel=email&subjectId=${subjectId}`)).body.reason).toBe('no_consent');
  });

  it('refuses an unknown purpose and a channel the purpose does not offer (422)', async () => {
    const subjectId = await createSubject(t);
    expect((await check(`purpose=nope-nope&channel=email&subjectId=${subjectId}`)).body.code).toBe('unknown_purpose');
    expect((await check(`purpose=${news}&channel=post&subjectId=${subjectId}`)).body.code).toBe('channel_not_offered');
    expect((await check(`purpose=${news}&channel=email`)).status).toBe(422);
  });

  it('answers a batch in input order, duplicates and unknowns included', async () => {
    const a = await createSubject(t);
    const b = await createSubject(t);
    await record(a, {});
    await record(b, { decision: 'refused' });
    const missing = randomUUID();
    const res = await t.request(
      'POST',
      '/v1/consents/check',
      { purpose: news, channel: 'email', subjectIds: [b, missing, a, b] },
      { key: reader },
    );
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { subjectId: b, allowed: false, reason: 'refused', consentId: expect.any(String), version: 1 },
      { subjectId: missing, allowed: false, reason: 'unknown_subject' },
      expect.objectContaining({ subjectId: a, allowed: true, reason: 'granted' }),
      expect.objectContaining({ subjectId: b, reason: 'refused' }),
    ]);

    const email = uniqueEmail('batch');
    const c = await createSubject(t, { email });
    await record(c, {});
    const byEmail = await t.request('POST', '/v1/consents/check', {
      purpose: news,
      channel: 'email',
      emails: [uniqueEmail('unknown'), email],
    });
    expect(byEmail.body.results.map((r: { reason: string }) => r.reason)).toEqual(['unknown_subject', 'granted']);
    expect(byEmail.body.results[1].email).toBe(email);
  });

  it('takes 10,000 at once and refuses more with 413 batch_too_large', async () => {
    const ids = Array.from({ length: 10_000 }, () => randomUUID());
    const started = Date.now();
    const ok = await t.request('POST', '/v1/consents/check', { purpose: news, channel: 'email', subjectIds: ids });
    expect(ok.status).toBe(200);
    expect(ok.body.results).toHaveLength(10_000);
    expect(ok.body.results[9_999].subjectId).toBe(ids[9_999]);
    expect(Date.now() - started).toBeLessThan(10_000);
    const tooMany = await t.request('POST', '/v1/consents/check', {
      purpose: news,
      channel: 'email',
      subjectIds: [...ids, randomUUID()],
    });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.code).toBe('batch_too_large');
    const two = await t.request('POST', '/v1/consents/check', {
      purpose: news,
      channel: 'email',
      subjectIds: [],
      emails: [],
    });
    expect(two.status).toBe(422);
  });

  it('streams the audience as NDJSON across keyset pages: only those who may be contacted now', async () => {
    const key = await publishedPurpose(t, 'aud');
    const granted: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await createSubject(t);
      await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: key, ...grant() });
      if (i % 4 === 3)
        await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: key, ...grant({ decision: 'withdrawn' }) });
      else granted.push(id);
    }
    const smsOnly = await createSubject(t);
    await t.request('POST', `/v1/subjects/${smsOnly}/consents`, { purpose: key, ...grant({ channel: 'sms' }) });

    t.get(AudienceService).pageSize = 4;
    try {
      const res = await checkedFetch(`${t.baseUrl}/v1/purposes/${key}/audience?channel=email`, {
        headers: { authorization: `Bearer ${reader}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      expect(res.headers.get('x-correlation-id')).toBeTruthy();
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l: { subjectId: string }) => l.subjectId).sort()).toEqual(granted.sort());
      // Keys without subjects:read get ids only.
      expect(Object.keys(lines[0])).toEqual(['subjectId']);
    } finally {
      t.get(AudienceService).pageSize = 1000;
    }
    expect((await t.request('GET', `/v1/purposes/${key}/audience?channel=post`)).body.code).toBe('channel_not_offered');
    expect((await t.request('GET', `/v1/purposes/nope-nope/audience?channel=email`)).status).toBe(404);
  });

  it('adds contacts for keys with subjects:read, read in one batch per page rather than per subject', async () => {
    const key = await publishedPurpose(t, 'audc');
    const emails = new Map<string, string>();
    for (let i = 0; i < 7; i++) {
      const email = uniqueEmail('aud');
      const id = await createSubject(t, { email });
      await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: key, ...grant() });
      emails.set(id, email);
    }
    const subjects = t.get(SubjectLookupService);
    const single = jest.spyOn(subjects, 'getContact');
    const batch = jest.spyOn(subjects, 'getContacts');
    t.get(AudienceService).pageSize = 3;
    try {
      const res = await checkedFetch(`${t.baseUrl}/v1/purposes/${key}/audience?channel=email`, {
        headers: { authorization: `Bearer ${t.adminKey}` },
      });
      expect(res.status).toBe(200);
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { subjectId: string; email: string });
      expect(new Map(lines.map((l) => [l.subjectId, l.email]))).toEqual(emails);
      expect(single).not.toHaveBeenCalled();
      // 7 subjects in pages of 3: three pages, three batches.
      expect(batch).toHaveBeenCalledTimes(3);
    } finally {
      t.get(AudienceService).pageSize = 1000;
      single.mockRestore();
      batch.mockRestore();
    }
  });

  it('answers the common case without the validation pipe, and hands every refusal to it unchanged', async () => {
    const subjectId = await createSubject(t);
    await record(subjectId, {});
    const transform = jest.spyOn(validationPipe, 'transform');
    const checkQueries = () => transform.mock.calls.filter(([, meta]) => meta.metatype === DecisionQuery).length;
    try {
      const yes = await check(`purpose=${news}&channel=email&subjectId=${subjectId}&record=true`);
      expect(yes.status).toBe(200);
      expect(yes.body).toMatchObject({ allowed: true, reason: 'granted' });
      // Kept in the decision log as the pipeline's path keeps it, under the caller's key.
      const kept = await t.request('GET', `/v1/decisions/${yes.body.decisionId}`, undefined, { key: reader });
      expect(kept.body).toMatchObject({
        kind: 'single',
        subjectId,
        allowed: true,
        principal: expect.stringMatching(/^api_key:/),
      });
      // A ProblemError from the service (two identifiers) is answered by the shared problem writer, not Nest's filter.
      const two = await check(`purpose=${news}&channel=email&subjectId=${subjectId}&email=a%40b.pl`);
      expect(two.status).toBe(422);
      expect(two.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'subjectId' }] });
      expect(two.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const unknown = await check(`purpose=no-such-purpose&channel=email&subjectId=${subjectId}`);
      expect(unknown.body).toMatchObject({ code: 'unknown_purpose', correlationId: expect.any(String) });
      expect(checkQueries()).toBe(0);

      const bad = await check(`purpose=${news}&channel=fax&subjectId=${subjectId}`);
      expect(bad.status).toBe(422);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'channel' })]);
      const extra = await check(`purpose=${news}&channel=email&subjectId=${subjectId}&limit=5`);
      expect(extra.body.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
      const anonymous = await t.request(
        'GET',
        `/v1/consents/check?purpose=${news}&channel=email&subjectId=${subjectId}`,
        undefined,
        { key: null },
      );
      expect(anonymous.status).toBe(401);
      const writer = (await t.request('POST', '/v1/api-keys', { name: 'writer', scopes: ['consent:write'] })).body.key;
      const forbidden = await t.request(
        'GET',
        `/v1/consents/check?purpose=${news}&channel=email&subjectId=${subjectId}`,
        undefined,
        { key: writer },
      );
      expect(forbidden.status).toBe(403);
      // The refused queries went through the pipeline (the two without a valid query), the unauthorised ones through
      // the guard, which answers before any pipe.
      expect(checkQueries()).toBe(2);
    } finally {
      transform.mockRestore();
    }
  });
});

describe('consent: the hot queries use their indexes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t.close());

  // Tables in a test are tiny, where a sequential scan is cheaper: forbid it to see which index serves.
  async function plan(sql: string, params: unknown[]): Promise<string> {
    return t.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      const rows = (await m.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it('the decision reads the projection by its primary key, for one subject or ten thousand', async () => {
    const { DECISION_ROWS_SQL } = await import('../../src/consent/consent.repository');
    const ids = Array.from({ length: 3 }, () => randomUUID());
    const text = await plan(DECISION_ROWS_SQL, ['newsletter', ids]);
    expect(text).toMatch(/Index (Only )?Scan using consent_state_pkey on consent_state/);
    expect(text).toMatch(/Index Cond: \(\(subject_id = ANY/);
    expect(text).toMatch(/ux_purposes_key/);
  });

  it('the audience walks its partial index as a keyset range', async () => {
    const { AUDIENCE_PAGE_SQL } = await import('../../src/consent/consent.repository');
    const text = await plan(AUDIENCE_PAGE_SQL, ['newsletter', 'email', randomUUID(), 1000]);
    expect(text).toMatch(/Index Scan using ix_consent_state_audience on consent_state/);
    expect(text).toMatch(/Index Cond: .*subject_id > /);
    expect(text).not.toMatch(/Sort/);
  });
});
