import { compactVerify, createLocalJWKSet } from 'jose';
import { addAndPublish, grant, purposeBody, uniqueKey } from '../consent/consent-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject, download, unzip, waitForStatus } from './support';

/**
 * Issue 13 item 9, Art. 15(1)-(3): the access report is about this person only and says exactly what applies:
 * their purposes, the retention actually enforced, in words, automated decision-making as configured, the text
 * each consent decision was made on, every label in their language, CSV files a spreadsheet reads right, and the
 * signed receipts of their decisions.
 */
describe('requests: the Art. 15 report is exact', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'all', env: { CONTROLLER_NAME: 'Optyk Wzorcowy sp. z o.o.' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lists only the purposes of the person, with the enforced retention, ADM and the exact texts', async () => {
    const mine = uniqueKey('newsletter');
    const adm = 'Oferty w newsletterze dobiera program według zakupów; nie wywołuje to skutków prawnych.';
    const body = purposeBody(mine, { name: 'Newsletter salonu', automatedDecisions: adm, retention: 'free text' });
    expect((await t.request('POST', '/v1/purposes', body)).status).toBe(201);
    await addAndPublish(t, mine);
    const other = uniqueKey('loyalty');
    const otherBody = purposeBody(other, { name: 'Program XYZ', recipients: ['Agencja Lojalnościowa sp. z o.o.'] });
    expect((await t.request('POST', '/v1/purposes', otherBody)).status).toBe(201);
    const policy = await t.request('POST', '/v1/retention/policies', {
      key: uniqueKey('news-erase'),
      purpose: mine,
      trigger: 'consent_withdrawn',
      period: 'P3Y',
      action: 'erase',
      legalBasis: 'art. 6 ust. 1 lit. a RODO',
    });
    expect(policy.status).toBe(201);

    const s = await createSubject(t, { locale: 'pl' });
    const granted = await t.request('POST', '/v1/consents', {
      purpose: mine,
      subject: { email: s.email },
      ...grant({ source: { method: 'store', location: 'Salon Kraków' } }),
    });
    expect(granted.status).toBe(201);

    const created = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, verified: true });
    await waitForStatus(t, created.body.id, ['completed']);
    const zip = await download(`${t.baseUrl}/v1/requests/${created.body.id}/result`, t.adminKey);
    expect(zip.status).toBe(200);
    const files = await unzip(zip.body);
    const report = files.get('report.html')!;

    expect(report).toContain('Newsletter salonu');
    expect(report).not.toContain('Program XYZ');
    expect(report).not.toContain('Agencja Lojalnościowa sp. z o.o.');
    // The enforced policy in words, not the purpose's free text.
    expect(report).toContain('do wycofania zgody, następnie 3 lata od jej wycofania');
    expect(report).not.toContain('free text');
    expect(report).toContain(adm);
    // The text the decision was made on, as rendered at publication.
    expect(report).toContain('Wyrażam zgodę: Newsletter salonu, administrator Optyk Wzorcowy sp. z o.o.');
    expect(report).toContain('zgoda udzielona');
    expect(report).toContain('od Ciebie (salon)');
    for (const raw of ['>granted<', '>firstName<', '>consent_history<', '>store<', '>identifiers<']) {
      expect(report).not.toContain(raw);
    }

    // CSV files start with a UTF-8 byte-order mark.
    expect(files.get('csv/zgoda/profile.csv')!.charCodeAt(0)).toBe(0xfeff);
    // The receipt of the decision, as handed out, verifiable with the published receipt keys.
    const receipt = files.get(`receipts/${granted.body.id}.jws`)!.trim();
    expect(receipt).toBe(granted.body.receipt);
    const jwks = await t.request('GET', '/v1/receipts/jwks.json', undefined, { key: null });
    const { payload } = await compactVerify(receipt, createLocalJWKSet(jwks.body));
    expect(new TextDecoder().decode(payload)).toContain(mine);
  });
});
