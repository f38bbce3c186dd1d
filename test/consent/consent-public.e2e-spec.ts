import { ConsentLinksService } from '../../src/consent/consent-links.service';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose } from './consent-fixtures';

describe('consent: one-click withdrawal, preferences, double opt-in and GPC', () => {
  let t: TestApp;
  let news: string;
  const decision = async (key: string, subjectId: string, channel = 'email') =>
    (await t.request('GET', `/v1/consents/check?purpose=${key}&channel=${channel}&subjectId=${subjectId}`)).body;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'unsub', { channels: ['email', 'sms'] });
  });
  afterAll(() => t.close());

  async function grantedSubject(): Promise<string> {
    const id = await createSubject(t);
    await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: news, ...grant() });
    await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: news, ...grant({ channel: 'sms' }) });
    return id;
  }

  async function mint(subjectId: string, channel = 'email') {
    const res = await t.request('POST', `/v1/subjects/${subjectId}/unsubscribe-links`, { purpose: news, channel });
    expect(res.status).toBe(201);
    return res.body as { url: string; token: string; headers: Record<string, string> };
  }

  it('mints a link for a marketing system with RFC 8058 headers; the link carries ids only', async () => {
    const subjectId = await grantedSubject();
    const link = await mint(subjectId);
    expect(link.url).toContain('/public/unsubscribe?token=');
    expect(link.headers).toEqual({
      'List-Unsubscribe': `<${link.url}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    const claims = JSON.parse(Buffer.from(link.token.split('.')[0], 'base64url').toString('utf8'));
    expect(Object.keys(claims).sort()).toEqual(['c', 'exp', 'p', 'purpose', 's']);
    expect(
      (await t.request('POST', `/v1/subjects/${subjectId}/unsubscribe-links`, { purpose: news, channel: 'push' }))
        .status,
    ).toBe(422);
  });

  it('a GET shows a page with a button and withdraws nothing; the POST withdraws exactly that purpose and channel', async () => {
    const subjectId = await grantedSubject();
    const { token } = await mint(subjectId);
    const page = await t.request('GET', `/public/unsubscribe?token=${token}`, undefined, { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<form method="post" action="/public/unsubscribe">');
    expect(page.text).toContain('Wycofuję zgodę');
    const en = await t.request('GET', `/public/unsubscribe?token=${token}`, undefined, {
      key: null,
      headers: { 'accept-language': 'en-GB,en;q=0.8' },
    });
    expect(en.text).toContain('Withdraw consent');
    expect((await decision(news, subjectId)).reason).toBe('granted');

    const post = await t.request('POST', '/public/unsubscribe', { token }, { key: null });
    expect(post.status).toBe(200);
    expect(post.body).toEqual({ status: 'withdrawn', purpose: news, channel: 'email' });
    expect(await decision(news, subjectId)).toMatchObject({ allowed: false, reason: 'withdrawn' });
    expect((await decision(news, subjectId, 'sms')).reason).toBe('granted');
    const again = await t.request('POST', '/public/unsubscribe', { token }, { key: null });
    expect(again.body.status).toBe('already_withdrawn');

    const history = await t.request('GET', `/v1/subjects/${subjectId}/consents/history`);
    const last = history.body.items[history.body.items.length - 1];
    expect(last).toMatchObject({ decision: 'withdrawn', reason: 'unsubscribe_link', channel: 'email' });
    const audit = await t.request('GET', `/v1/audit?targetId=${last.id}`);
    expect(audit.body.items[0].actor).toEqual({ type: 'subject_token', id: subjectId });
  });

  it('accepts RFC 8058 one-click posts (token in the URL) and the HTML form post', async () => {
    const a = await grantedSubject();
    const linkA = await mint(a);
    const oneClick = await t.request('POST', new URL(linkA.url).pathname + new URL(linkA.url).search, undefined, {
      key: null,
      raw: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    expect((await decision(news, a)).reason).toBe('withdrawn');

    const b = await grantedSubject();
    const linkB = await mint(b, 'sms');
    const form = await t.request('POST', '/public/unsubscribe', undefined, {
      key: null,
      raw: `token=${encodeURIComponent(linkB.token)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toContain('text/html');
    expect((await decision(news, b, 'sms')).reason).toBe('withdrawn');
    expect((await decision(news, b, 'email')).reason).toBe('granted');

    const c = await grantedSubject();
    const linkC = await mint(c);
    const boundary = 'zgoda-boundary';
    const multipart = await t.request('POST', new URL(linkC.url).pathname + new URL(linkC.url).search, undefined, {
      key: null,
      raw: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(multipart.status).toBe(200);
    expect((await decision(news, c)).reason).toBe('withdrawn');
  });

  it('refuses forged, foreign-purpose and expired tokens', async () => {
    const subjectId = await grantedSubject();
    const { token } = await mint(subjectId);
    const forged = `${token.slice(0, -3)}AAA`;
    const res = await t.request('POST', '/public/unsubscribe', { token: forged }, { key: null });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_token');
    const prefs = t.get(ConsentLinksService).preferencesToken(subjectId);
    expect((await t.request('POST', '/public/unsubscribe', { token: prefs }, { key: null })).body.code).toBe(
      'invalid_token',
    );
    const page = await t.request('GET', `/public/unsubscribe?token=${forged}`, undefined, { key: null });
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect((await decision(news, subjectId)).reason).toBe('granted');
  });

  it('shows a subject their consents through a signed preferences link', async () => {
    const subjectId = await grantedSubject();
    const link = await t.request('POST', `/v1/subjects/${subjectId}/preference-links`);
    expect(link.status).toBe(201);
    const view = await t.request('GET', `/public/preferences?token=${link.body.token}`, undefined, { key: null });
    expect(view.status).toBe(200);
    const mine = view.body.items.filter((i: { purpose: string }) => i.purpose === news);
    expect(mine.map((i: { channel: string; status: string }) => `${i.channel}:${i.status}`)).toEqual([
      'email:granted',
      'sms:granted',
    ]);
    // Every current grant carries its own one-click withdrawal.
    const withdraw = await t.request('POST', '/public/unsubscribe', { token: mine[1].unsubscribeToken }, { key: null });
    expect(withdraw.body).toMatchObject({ status: 'withdrawn', channel: 'sms' });
    const unsub = (await mint(subjectId)).token;
    expect((await t.request('GET', `/public/preferences?token=${unsub}`, undefined, { key: null })).status).toBe(400);
  });

  describe('double opt-in', () => {
    let doi: string;
    beforeAll(async () => {
      doi = await publishedPurpose(t, 'doi', { doubleOptIn: true, channels: ['email'] });
    });

    it('stores the grant pending, says no_consent until the link is confirmed, and records the confirmation', async () => {
      const subjectId = await createSubject(t);
      const g = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: doi, ...grant() });
      expect(g.status).toBe(201);
      expect(g.body).toMatchObject({ decision: 'granted', pending: true });
      expect(JSON.stringify(g.body)).not.toMatch(/token/i);
      expect(await decision(doi, subjectId)).toMatchObject({ allowed: false, reason: 'no_consent' });
      const states = await t.request('GET', `/v1/subjects/${subjectId}/consents`);
      expect(states.body.items.find((i: { purpose: string }) => i.purpose === doi).status).toBe('pending');

      const token = t.get(ConsentLinksService).confirmToken(g.body.id);
      const page = await t.request('GET', `/public/consents/confirm?token=${token}`, undefined, { key: null });
      expect(page.status).toBe(200);
      expect(page.text).toContain('action="/public/consents/confirm"');
      expect((await decision(doi, subjectId)).reason).toBe('no_consent');

      const confirmed = await t.request('POST', '/public/consents/confirm', { token }, { key: null });
      expect(confirmed.body).toEqual({ status: 'confirmed', purpose: doi });
      expect(await decision(doi, subjectId)).toMatchObject({ allowed: true, reason: 'granted', consentId: g.body.id });
      const again = await t.request('POST', '/public/consents/confirm', { token }, { key: null });
      expect(again.body.status).toBe('already_confirmed');

      const history = await t.request('GET', `/v1/subjects/${subjectId}/consents/history`);
      expect(history.body.items.map((e: { decision: string }) => e.decision)).toEqual(['granted', 'confirmed']);
      expect(history.body.items[1].confirms).toBe(g.body.id);
      const proof = await t.request('GET', `/v1/subjects/${subjectId}/consents/${g.body.id}/proof`);
      expect(proof.body.confirmations).toHaveLength(1);
      expect(proof.body.audit.map((a: { action: string }) => a.action)).toEqual([
        'consent.granted',
        'consent.confirmed',
      ]);
    });

    it('a withdrawal before confirmation voids the link', async () => {
      const subjectId = await createSubject(t);
      const g = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: doi, ...grant() });
      await t.request('POST', `/v1/subjects/${subjectId}/consents`, {
        purpose: doi,
        ...grant({ decision: 'withdrawn' }),
      });
      const token = t.get(ConsentLinksService).confirmToken(g.body.id);
      const res = await t.request('POST', '/public/consents/confirm', { token }, { key: null });
      expect(res.body.status).toBe('no_longer_pending');
      expect((await decision(doi, subjectId)).reason).toBe('withdrawn');
    });
  });

  describe('Global Privacy Control', () => {
    it('publishes /.well-known/gpc.json', async () => {
      const res = await t.request('GET', '/.well-known/gpc.json', undefined, { key: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(res.body).toEqual({ gpc: true, lastUpdate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    });

    it('Sec-GPC: 1 turns a grant for sale or sharing into a refusal, recorded as such; other purposes are untouched', async () => {
      const ads = await publishedPurpose(t, 'ads', { saleOrSharing: true, channels: ['email'] });
      const subjectId = await createSubject(t);
      const gpc = { headers: { 'sec-gpc': '1' } };
      const refused = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: ads, ...grant() }, gpc);
      expect(refused.status).toBe(201);
      expect(refused.body).toMatchObject({ decision: 'refused', reason: 'gpc' });
      expect((await decision(ads, subjectId)).reason).toBe('refused');
      const mail = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() }, gpc);
      expect(mail.body).toMatchObject({ decision: 'granted', reason: null });
      const history = await t.request('GET', `/v1/subjects/${subjectId}/consents/history`);
      expect(history.body.items.map((e: { gpc: boolean }) => e.gpc)).toEqual([true, true]);

      // Only the exact value "1" is a signal.
      const other = await createSubject(t);
      for (const value of ['0', 'true', '1, 1']) {
        const res = await t.request(
          'POST',
          `/v1/subjects/${other}/consents`,
          { purpose: ads, ...grant() },
          { headers: { 'sec-gpc': value } },
        );
        expect(res.body).toMatchObject({ decision: 'granted' });
      }
    });

    it('Sec-GPC: 1 also withdraws earlier grants for sale, sharing and targeted ads, as GPC events (issue 13 item 8)', async () => {
      const ads = await publishedPurpose(t, 'ads', { saleOrSharing: true, channels: ['email', 'sms'] });
      const subjectId = await createSubject(t);
      for (const body of [
        { purpose: ads, ...grant() },
        { purpose: ads, ...grant({ channel: 'sms' }) },
        { purpose: news, ...grant() },
      ])
        expect((await t.request('POST', `/v1/subjects/${subjectId}/consents`, body)).status).toBe(201);
      expect((await decision(ads, subjectId)).reason).toBe('granted');

      // A later call carrying the signal, for another purpose: the newsletter is granted, the ads are withdrawn.
      const gpc = { headers: { 'sec-gpc': '1' } };
      const mail = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() }, gpc);
      expect(mail.body).toMatchObject({ decision: 'granted' });
      expect((await decision(ads, subjectId)).reason).toBe('withdrawn');
      expect((await decision(ads, subjectId, 'sms')).reason).toBe('withdrawn');
      expect((await decision(news, subjectId)).reason).toBe('granted');
      const history = (await t.request('GET', `/v1/subjects/${subjectId}/consents/history`)).body.items as {
        purpose: string;
        channel: string;
        decision: string;
        reason: string | null;
        gpc: boolean;
      }[];
      const withdrawals = history.filter((e) => e.decision === 'withdrawn');
      expect(withdrawals.map((e) => `${e.purpose}/${e.channel}/${e.reason}/${e.gpc}`).sort()).toEqual([
        `${ads}/email/gpc/true`,
        `${ads}/sms/gpc/true`,
      ]);
      // The signal again: nothing left to withdraw, nothing written twice.
      await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() }, gpc);
      const again = (await t.request('GET', `/v1/subjects/${subjectId}/consents/history`)).body.items as {
        decision: string;
      }[];
      expect(again.filter((e) => e.decision === 'withdrawn')).toHaveLength(2);
    });
  });
});
