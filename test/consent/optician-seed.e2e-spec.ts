import { PurposesService } from '../../src/consent/purposes.service';
import { OPTICIAN_PURPOSES, seedOptician } from '../../src/consent/seed/optician.seed';
import { ImportsService } from '../../src/consent/imports.service';
import { PAPER_FORM_TEXT, seedPaperForms } from '../../src/consent/seed/paper-forms.seed';
import { TextsService } from '../../src/consent/texts.service';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject } from './consent-fixtures';

describe('consent: optician seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'all', env: { CONTROLLER_NAME: 'Optyk Przykładowy sp. z o.o.' } });
  });
  afterAll(() => t.close());

  it('creates the purposes with published pl and en texts, and is safe to run twice', async () => {
    const seed = () => seedOptician(t.get(PurposesService), t.get(TextsService));
    expect((await seed()).sort()).toEqual(OPTICIAN_PURPOSES.map((p) => p.purpose.key).sort());
    expect(await seed()).toEqual([]);

    const exam = await t.request('GET', '/v1/purposes/eye-exam-records');
    expect(exam.body).toMatchObject({
      specialCategoryBasis: 'art_9_2_h',
      legalBasis: 'legal_obligation',
      currentVersion: 1,
    });
    expect((await t.request('GET', '/v1/purposes/order-fulfilment')).body.legalBasis).toBe('contract');
    for (const key of ['newsletter', 'sms-promotions', 'exam-reminders', 'order-fulfilment', 'eye-exam-records']) {
      for (const locale of ['pl', 'en']) {
        const text = await t.request('GET', `/v1/purposes/${key}/texts/current?locale=${locale}`);
        expect(text.status).toBe(200);
        expect(text.body.rendered).toContain('Optyk Przykładowy sp. z o.o.');
        expect(text.body.rendered).not.toMatch(/\{\{|\}\}/);
      }
    }
    const sms = await t.request('GET', '/v1/purposes/sms-promotions/texts/current?locale=pl');
    expect(sms.body.rendered).toContain('Zgoda wygasa po 730 dniach');

    const subjectId = await createSubject(t);
    const res = await t.request('POST', `/v1/subjects/${subjectId}/consents`, {
      purpose: 'sms-promotions',
      channel: 'sms',
      version: 1,
      locale: 'pl',
      decision: 'granted',
      source: { method: 'store', location: 'store-krakow-01', staffId: 'staff-17' },
    });
    expect(res.status).toBe(201);
    const check = await t.request(
      'GET',
      `/v1/consents/check?purpose=sms-promotions&channel=sms&subjectId=${subjectId}`,
    );
    expect(check.body.reason).toBe('granted');
    const order = await t.request(
      'GET',
      `/v1/consents/check?purpose=order-fulfilment&channel=email&subjectId=${subjectId}`,
    );
    expect(order.body).toMatchObject({ allowed: true, reason: 'legal_basis' });
  });

  it('loads a sample of signed paper forms through the import path, with their dates, words and scans, once', async () => {
    await seedOptician(t.get(PurposesService), t.get(TextsService));
    const finished = async (id: string) =>
      eventually(async () => {
        const r = await t.request('GET', `/v1/imports/${id}`);
        return r.body.status === 'completed' ? r.body : null;
      });
    // Ten forms (one refused), two of them withdrawn later by phone.
    const first = await finished((await seedPaperForms(t.get(ImportsService), 10)).id);
    expect(first.rows).toEqual({ read: 12, imported: 12, skipped: 0, failed: 0 });

    const byPhone = async (n: number) =>
      (await t.request('GET', `/v1/subjects?phone=${encodeURIComponent(`+48 600 100 ${100 + n}`)}`)).body.items[0].id;
    const check = async (n: number) =>
      (await t.request('GET', `/v1/consents/check?purpose=sms-promotions&channel=sms&subjectId=${await byPhone(n)}`))
        .body;
    expect(await check(0)).toMatchObject({ allowed: true, reason: 'granted', version: 0 });
    expect(await check(3)).toMatchObject({ allowed: false, reason: 'refused' });
    expect(await check(4)).toMatchObject({ allowed: false, reason: 'withdrawn' });

    // The form's own words became a historical text, dated the first signature.
    const text = await t.request('GET', '/v1/purposes/sms-promotions/texts/0?locale=pl');
    expect(text.body.texts).toEqual([
      expect.objectContaining({ imported: true, title: PAPER_FORM_TEXT.title, body: PAPER_FORM_TEXT.body }),
    ]);

    // The proof names the form, its scan and the import's audited batch that brought it in.
    const subjectId = await byPhone(0);
    const [signed] = (await t.request('GET', `/v1/subjects/${subjectId}/consents/history`)).body.items;
    expect(signed).toMatchObject({ source: { method: 'store', location: 'salon-krakow-01' }, import: { row: 1 } });
    expect(Date.parse(signed.occurredAt)).toBeLessThan(Date.now() - 500 * 24 * 3600 * 1000);
    const proof = await t.request('GET', `/v1/subjects/${subjectId}/consents/${signed.id}/proof`);
    expect(proof.body.evidence).toMatchObject({
      formId: 'KRA-2025-0001',
      documentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      documentUrl: 'https://dms.example.com/formularze/KRA-2025-0001.pdf',
    });
    expect(proof.body.evidenceHashMatches).toBe(true);
    expect(proof.body.audit.map((a: { action: string }) => a.action)).toContain('consent_import.batch');

    const again = await finished((await seedPaperForms(t.get(ImportsService), 10)).id);
    expect(again.rows).toEqual({ read: 12, imported: 0, skipped: 12, failed: 0 });
  });
});
