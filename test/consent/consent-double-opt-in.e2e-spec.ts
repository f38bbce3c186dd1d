import { CryptoService } from '../../src/common/crypto/crypto.service';
import { sealedColumn } from '../../src/notifications/outgoing-emails.repository';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose, uniqueEmail } from './consent-fixtures';

// Sending is the notifications module's job (and its tests'); here we check what consent queues: the
// template, the language, and a link that works.
describe('consent: double opt-in by e-mail', () => {
  let t: TestApp;
  let doi: string;
  const decision = async (subjectId: string) =>
    (await t.request('GET', `/v1/consents/check?purpose=${doi}&channel=email&subjectId=${subjectId}`)).body;
  const queued = async (subjectId: string) =>
    (await t.dataSource.query(`SELECT id, template, locale, model FROM outgoing_emails WHERE subject_id = $1`, [
      subjectId,
    ])) as { id: string; template: string; locale: string; model: Buffer }[];

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { PUBLIC_BASE_URL: 'https://zgoda.example.com' } });
    doi = await publishedPurpose(t, 'doi', { doubleOptIn: true, channels: ['email', 'sms'], name: 'Newsletter Optyk' });
  });
  afterAll(() => t.close());

  it('queues the consent-confirmation e-mail in the language of the text, in the grant’s transaction; its link confirms', async () => {
    const subjectId = await createSubject(t, { email: uniqueEmail('doi') });
    const g = await t.request('POST', `/v1/subjects/${subjectId}/consents`, {
      purpose: doi,
      ...grant({ locale: 'en' }),
    });
    expect(g.body).toMatchObject({ decision: 'granted', pending: true });
    expect((await decision(subjectId)).reason).toBe('no_consent');

    const [mail] = await queued(subjectId);
    expect(mail).toMatchObject({ template: 'consent-confirmation', locale: 'en' });
    const model = JSON.parse(t.get(CryptoService).open(mail.model, sealedColumn(mail.id, 'model')));
    expect(model).toEqual({ purposeName: 'Newsletter Optyk', confirmUrl: expect.any(String) });
    const url = new URL(model.confirmUrl);
    expect(`${url.origin}${url.pathname}`).toBe('https://zgoda.example.com/public/consents/confirm');
    const token = url.searchParams.get('token')!;
    // The link names the grant only.
    expect(Object.keys(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()))).toEqual([
      'purpose',
      'e',
      'exp',
    ]);

    // A mail scanner following the link confirms nothing.
    const page = await t.request('GET', `/public/consents/confirm?token=${encodeURIComponent(token)}`, undefined, {
      key: null,
    });
    expect(page.status).toBe(200);
    expect((await decision(subjectId)).reason).toBe('no_consent');

    const form = await t.request('POST', '/public/consents/confirm', undefined, {
      key: null,
      raw: `token=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
    });
    expect(form.status).toBe(200);
    expect(form.text).toContain('is confirmed');
    expect(await decision(subjectId)).toMatchObject({ allowed: true, reason: 'granted', consentId: g.body.id });
  });

  it('a Polish text gets a Polish e-mail; a plain purpose queues nothing; without an e-mail address the grant stays pending', async () => {
    const pl = await createSubject(t, { email: uniqueEmail('doipl'), locale: 'en' });
    await t.request('POST', `/v1/subjects/${pl}/consents`, { purpose: doi, ...grant({ locale: 'pl' }) });
    expect((await queued(pl))[0].locale).toBe('pl');

    const plain = await publishedPurpose(t, 'plain');
    const a = await createSubject(t, { email: uniqueEmail('nodoi') });
    await t.request('POST', `/v1/subjects/${a}/consents`, { purpose: plain, ...grant() });
    expect(await queued(a)).toHaveLength(0);

    const phoneOnly = await createSubject(t, { email: undefined, phone: '+48 602 345 678' });
    const p = await t.request('POST', `/v1/subjects/${phoneOnly}/consents`, {
      purpose: doi,
      ...grant({ channel: 'sms' }),
    });
    expect(p.body.pending).toBe(true);
    expect(await queued(phoneOnly)).toHaveLength(0);
    expect(
      (await t.request('GET', `/v1/consents/check?purpose=${doi}&channel=sms&subjectId=${phoneOnly}`)).body.reason,
    ).toBe('no_consent');
  });

  describe('undoing an objection or a suppression (issue 13 item 6)', () => {
    let mkt: string;
    beforeAll(async () => {
      mkt = await publishedPurpose(t, 'mkt', { channels: ['email', 'sms'], name: 'Promocje' });
    });
    const check = async (q: string, channel = 'email') =>
      (await t.request('GET', `/v1/consents/check?purpose=${mkt}&channel=${channel}&${q}`)).body;
    /** The confirmation link queued for this grant, followed the way a person does (POST from the page). */
    const confirmLatest = async (subjectId: string) => {
      const mails = await queued(subjectId);
      const mail = mails[mails.length - 1];
      expect(mail.template).toBe('consent-confirmation');
      const model = JSON.parse(t.get(CryptoService).open(mail.model, sealedColumn(mail.id, 'model')));
      const token = new URL(model.confirmUrl).searchParams.get('token')!;
      const res = await t.request(
        'POST',
        '/public/consents/confirm',
        { token },
        {
          key: null,
          headers: { 'user-agent': 'Mozilla/5.0 (confirm test)' },
        },
      );
      expect(res.body.status).toBe('confirmed');
    };

    it('an objection ends marketing grants; only a grant the person confirms (double opt-in) lifts it, for its purpose and channel', async () => {
      const subjectId = await createSubject(t, { email: uniqueEmail('obj') });
      for (const channel of ['email', 'sms'])
        expect(
          (await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: mkt, ...grant({ channel }) }))
            .status,
        ).toBe(201);
      expect((await check(`subjectId=${subjectId}`)).reason).toBe('granted');

      expect((await t.request('POST', '/v1/requests', { type: 'objection', subjectId })).status).toBe(201);
      expect((await check(`subjectId=${subjectId}`)).reason).toBe('objected');
      const history = (await t.request('GET', `/v1/subjects/${subjectId}/consents/history`)).body.items as {
        channel: string;
        decision: string;
        reason: string | null;
      }[];
      expect(
        history
          .filter((e) => e.decision === 'withdrawn')
          .map((e) => `${e.channel}:${e.reason}`)
          .sort(),
      ).toEqual(['email:objection', 'sms:objection']);

      // A new grant recorded by staff or a form is not enough: it waits for the person's confirmation.
      const again = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: mkt, ...grant() });
      expect(again.body).toMatchObject({ decision: 'granted', pending: true, reason: 'double_opt_in' });
      expect((await check(`subjectId=${subjectId}`)).reason).toBe('objected');
      await confirmLatest(subjectId);
      expect(await check(`subjectId=${subjectId}`)).toMatchObject({ allowed: true, reason: 'granted' });
      // Only that purpose and channel.
      expect((await check(`subjectId=${subjectId}`, 'sms')).reason).toBe('objected');
      // The confirmation carries its evidence.
      const confirmation = (await t.request('GET', `/v1/subjects/${subjectId}/consents/history`)).body.items.find(
        (e: { decision: string }) => e.decision === 'confirmed',
      );
      const proof = await t.request('GET', `/v1/subjects/${subjectId}/consents/${confirmation.id}/proof`);
      expect(proof.body.evidence).toMatchObject({ userAgent: 'Mozilla/5.0 (confirm test)', ip: expect.any(String) });
    });

    it('a merge with a record that objected ends the survivor’s confirmed grants too', async () => {
      const survivor = await createSubject(t, { email: uniqueEmail('surv') });
      await t.request('POST', `/v1/subjects/${survivor}/consents`, { purpose: doi, ...grant() });
      await confirmLatest(survivor);
      expect((await decision(survivor)).reason).toBe('granted');
      const other = await createSubject(t, { email: uniqueEmail('other') });
      expect((await t.request('POST', '/v1/requests', { type: 'objection', subjectId: other })).status).toBe(201);
      expect((await t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: other })).status).toBe(200);
      expect((await decision(survivor)).reason).toBe('objected');
    });

    it('a suppressed address that comes back counts only once its owner confirms a grant', async () => {
      const email = uniqueEmail('supp');
      const first = await createSubject(t, { email });
      expect((await t.request('POST', `/v1/subjects/${first}/erase`, { reason: 'staff:test' })).status).toBe(204);
      const back = await createSubject(t, { email });
      const g = await t.request('POST', `/v1/subjects/${back}/consents`, { purpose: mkt, ...grant() });
      expect(g.body).toMatchObject({ pending: true });
      const q = `email=${encodeURIComponent(email)}`;
      expect((await check(q)).reason).toBe('suppressed');
      await confirmLatest(back);
      expect(await check(q)).toMatchObject({ allowed: true, reason: 'granted' });
      expect((await check(`subjectId=${back}`)).reason).toBe('granted');
    });
  });
});
