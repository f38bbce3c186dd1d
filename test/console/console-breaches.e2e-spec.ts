import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { pdfText } from '../support/pdf-text';
import { SmtpCatcher } from '../support/smtp-catcher';
import { consoleSignIn } from './console-support';
import { BrowserApp, startBrowserApp } from '../support/browser-app';
import { BrowserSession, checkA11y, screenshot } from '../support/browser';
import { eventually, TestApp } from '../support/test-app';
import { createStaff } from '../users/staff-client';

const HOUR = 3_600_000;
const local = (ms: number) => DateTime.fromMillis(ms).setZone('Europe/Warsaw').toFormat("yyyy-LL-dd'T'HH:mm");

/** The breach register in the console (issue 15 item 2): a DPO's incident from discovery to the Art. 34 notices. */
describe('console: breaches', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let browser: BrowserSession;
  let app: BrowserApp | undefined;

  beforeAll(async () => {
    app = await startBrowserApp();
    ({ t, smtp, browser } = app);
    await createStaff(t, 'iod@example.com', 'dpo');
    await createStaff(t, 'ola.staff@example.com', 'staff');
    const crm = await t.request('POST', '/v1/systems', {
      key: 'crm-leak',
      name: 'CRM salonów',
      kind: 'manual',
      dataCategories: ['phone'],
      purposes: [],
    });
    expect(crm.status).toBe(201);
    const held = await t.request('POST', '/v1/subjects', {
      email: 'ewa.klientka@example.com',
      externalId: 'K-77',
      externalSystem: 'crm-leak',
    });
    expect(held.status).toBe(201);
    // Not in the breached system: never selected.
    expect((await t.request('POST', '/v1/subjects', { email: 'obok@example.com' })).status).toBe(201);
  });

  afterAll(() => app?.close());

  const signIn = (page: Page, email: string, lang: 'pl' | 'en' = 'pl') =>
    consoleSignIn(browser, page, t.baseUrl, email, lang);
  const text = (page: Page, selector: string) => page.locator(selector).textContent();

  it('a DPO records a breach, sees the 72-hour clock, selects the people, notifies UODO and tells the people', async () => {
    const page = await browser.newPage();
    await signIn(page, 'iod@example.com');
    await page.getByRole('link', { name: 'Naruszenia' }).click();
    await expect(text(page, 'main')).resolves.toContain('Brak zarejestrowanych naruszeń.');
    await page.getByRole('link', { name: 'Zgłoś nowe naruszenie' }).click();

    // Nothing filled in: every required field is named, in Polish.
    await page.getByRole('button', { name: 'Zarejestruj naruszenie' }).click();
    await expect(text(page, '#e-description')).resolves.toBe('Opisz, co się stało.');
    await expect(text(page, '#e-awareAt')).resolves.toContain('Podaj datę i godzinę wykrycia');
    await expect(text(page, '#e-reportedBy')).resolves.toBe('Podaj, kto zgłosił (dział lub rola).');

    const awareMs = Date.now() - 60 * HOUR;
    await page.getByLabel('Co się stało').fill('Eksport kontaktów z CRM wysłany na zły adres e-mail.');
    await page.getByLabel(/Kiedy wykryto/).fill(local(awareMs));
    await page.getByLabel(/Kto zgłosił/).fill('Dział sprzedaży');
    await page.getByLabel('CRM salonów crm-leak').check();
    await page.getByLabel(/Kategorie danych/).fill('phone');
    await page.getByLabel('Ocena ryzyka').selectOption('high_risk');
    await page.getByRole('button', { name: 'Zarejestruj naruszenie' }).click();
    // Art. 33(5): an assessment without its reasons is refused, the rest of the form kept.
    await expect(text(page, '#e-riskReasoning')).resolves.toBe('Uzasadnij ocenę ryzyka (art. 33 ust. 5).');
    await expect(page.getByLabel('Co się stało').inputValue()).resolves.toContain('Eksport kontaktów');
    await expect(page.getByLabel('CRM salonów crm-leak').isChecked()).resolves.toBe(true);
    await page.getByLabel(/Uzasadnienie oceny/).fill('Numery telefonów z historią wizyt umożliwiają oszustwa.');
    await page.getByRole('button', { name: 'Zarejestruj naruszenie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Naruszenie zarejestrowane');
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const created = (await t.request('GET', `/v1/breaches/${id}`)).body;
    expect(created).toMatchObject({ riskAssessment: 'high_risk', systems: ['crm-leak'], dataCategories: ['phone'] });
    expect(Date.parse(created.awareAt)).toBe(Math.floor(awareMs / 60_000) * 60_000);
    // About 12 hours of the 72 left: under a day, so flagged.
    await expect(text(page, '#breach-clock')).resolves.toMatch(/zostało 1[12] godz\./);
    await expect(page.locator('#breach-clock .badge.warn').count()).resolves.toBe(1);
    await checkA11y(page);
    await screenshot(page, 'console-breach-pl');

    // An edit keeps awareAt to the second (the picker has only minutes) and names a bad number under its field.
    await page.getByText('Zmień dane naruszenia').click();
    await page.getByLabel('Przybliżona liczba osób').fill('sto');
    await page.getByRole('button', { name: 'Zapisz zmiany' }).click();
    await expect(text(page, '#e-approxSubjects')).resolves.toBe('Podaj liczbę całkowitą (0 lub więcej).');
    await page.getByLabel('Przybliżona liczba osób').fill('120');
    await page.getByRole('button', { name: 'Zapisz zmiany' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Zmiany zapisane.');
    const edited = (await t.request('GET', `/v1/breaches/${id}`)).body;
    expect(edited).toMatchObject({ approxSubjects: 120, awareAt: created.awareAt });

    // The people: a preview counts and records nothing; the confirmation records exactly that selection.
    await page.getByRole('button', { name: 'Pokaż, ile osób obejmie wybór' }).click();
    await expect(text(page, '#affected-preview')).resolves.toContain('Wybór obejmie 1 osobę (systemy: crm-leak;');
    expect((await t.request('GET', `/v1/breaches/${id}/affected-subjects`)).body.total).toBe(0);
    await checkA11y(page);
    await screenshot(page, 'console-breach-preview-pl');
    await page.getByRole('button', { name: 'Zapisz wybór 1 osoby' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Wybór osób zapisany.');
    await expect(text(page, '#affected-counts')).resolves.toContain('Wybrano: 1 osobę; zawiadomiono: 0; czeka: 1');

    // UODO: the notification sent, then the report to copy into UODO's form, readable and as a PDF.
    await page.getByLabel('Kiedy wysłano (czas polski)').fill(local(Date.now() - 60_000));
    await page.getByLabel('Numer sprawy w UODO').fill('DKN.5130.77.2026');
    await page.getByRole('button', { name: 'Zapisz wysłane zgłoszenie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Zgłoszenie do UODO zapisane.');
    await expect(text(page, '#breach-clock')).resolves.toContain('zgłoszono');
    await expect(text(page, '#breach-notifications')).resolves.toContain('DKN.5130.77.2026');
    expect((await t.request('GET', `/v1/breaches/${id}`)).body.status).toBe('notified');
    const report = await page.request.get(`${t.baseUrl}/console/breaches/${id}/report`);
    expect(report.status()).toBe(200);
    expect(await report.text()).toContain('Eksport kontaktów z CRM');
    const pdf = await page.request.get(`${t.baseUrl}/console/breaches/${id}/report.pdf`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect(await pdfText(new Uint8Array(await pdf.body()))).toContain('Eksport kontaktów z CRM');

    // Art. 34: the person selected is told; the one elsewhere is not.
    await page.getByRole('button', { name: 'Wyślij zawiadomienia do 1 osoby' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Zawiadomienia zlecone');
    await eventually(async () => smtp.to('ewa.klientka@example.com').length > 0);
    expect(smtp.to('obok@example.com')).toHaveLength(0);

    await page.reload();
    const history = (await text(page, '#breach-history'))!;
    for (const what of [
      'zarejestrowano',
      'zmieniono: approxSubjects',
      'wybrano 1 osobę',
      'zapisano zgłoszenie do UODO',
    ])
      expect(history).toContain(what);
    expect(history).toContain('iod@example.com');
    await page.goto(`${t.baseUrl}/console/breaches`);
    await expect(text(page, '#breaches')).resolves.toContain('zgłoszono');
    await expect(text(page, '#breach-kpis')).resolves.toContain('Naruszeń w rejestrze');
    // Notified about 60 hours after discovery: the median in Polish number style.
    await expect(text(page, '#breach-kpis')).resolves.toMatch(/Mediana czasu do zgłoszenia\s*(59|60)(,\d)? godz\./);
    await page.close();
  });

  it('a first notification after 72 hours is refused without the reasons for the delay (Art. 33(1))', async () => {
    const created = await t.request('POST', '/v1/breaches', {
      description: 'Zgubiony laptop serwisanta.',
      awareAt: new Date(Date.now() - 80 * HOUR).toISOString(),
      reportedBy: 'Serwis',
    });
    const id = created.body.id as string;
    const page = await browser.newPage();
    await signIn(page, 'iod@example.com');
    await page.goto(`${t.baseUrl}/console/breaches`);
    await expect(page.locator('#breaches .badge.bad').first().textContent()).resolves.toMatch(
      /po terminie o \d+ godz\./,
    );
    await page.goto(`${t.baseUrl}/console/breaches/${id}`);
    await page.getByLabel('Kiedy wysłano (czas polski)').fill(local(Date.now() - 60_000));
    await page.getByRole('button', { name: 'Zapisz wysłane zgłoszenie' }).click();
    await expect(text(page, '#e-delayReasons')).resolves.toContain('podaj przyczyny opóźnienia (art. 33 ust. 1)');
    expect((await t.request('GET', `/v1/breaches/${id}`)).body.authorityNotifiedAt).toBeNull();
    await page.getByLabel(/Przyczyny opóźnienia/).fill('Laptop zgłoszono jako zgubiony dopiero po weekendzie.');
    await page.getByRole('button', { name: 'Zapisz wysłane zgłoszenie' }).click();
    await expect(text(page, '#breach-clock')).resolves.toContain('zgłoszono po terminie');
    await page.close();
  });

  it('staff without the breach scope get the 403 page and no menu entry', async () => {
    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    await expect(page.locator('nav').textContent()).resolves.not.toContain('Naruszenia');
    expect((await page.goto(`${t.baseUrl}/console/breaches`))?.status()).toBe(403);
    await page.close();
  });

  it('the breach pages pass axe-core in Polish and English', async () => {
    const id = (await t.request('GET', '/v1/breaches?limit=1')).body.items[0].id as string;
    const page = await browser.newPage();
    for (const lang of ['pl', 'en'] as const) {
      await signIn(page, 'iod@example.com', lang);
      for (const [path, name] of [
        ['/console/breaches', 'breaches'],
        ['/console/breaches/new', 'breach-new'],
        [`/console/breaches/${id}`, 'breach'],
      ]) {
        const res = await page.goto(`${t.baseUrl}${path}`);
        expect(res?.status()).toBe(200);
        await checkA11y(page, `${path} (${lang})`);
        await screenshot(page, `console-${name}-${lang}`);
      }
    }
    await page.close();
  });
});
