import { PurposesService } from '../../src/consent/purposes.service';
import { OPTICIAN_PURPOSES, seedOptician } from '../../src/consent/seed/optician.seed';
import { TextsService } from '../../src/consent/texts.service';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject } from './consent-fixtures';

describe('consent: optician seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { CONTROLLER_NAME: 'Optyk Przykładowy sp. z o.o.' } });
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
});
