import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { publishedPurpose } from '../consent/consent-fixtures';
import { createSubject } from '../requests/support';
import { consoleFind, consoleSignIn } from './console-support';
import { BrowserSession, checkA11y, launchBrowser, screenshot } from '../support/browser';
import { startTestApp, TestApp } from '../support/test-app';
import { createStaff, STAFF_ENV } from '../users/staff-client';

/** The person's page (issue 15 item 1): found by e-mail, everything in words, and what staff do for the person. */
describe('console: the person’s page', () => {
  let t: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: STAFF_ENV });
    browser = await launchBrowser();
    await createStaff(t, 'ola.staff@example.com', 'staff');
    await createStaff(t, 'iod@example.com', 'dpo');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (page: Page, email: string, lang: 'pl' | 'en' = 'pl') =>
    consoleSignIn(browser, page, t.baseUrl, email, lang);
  const find = (page: Page, q: string) => consoleFind(page, t.baseUrl, q);
  const text = (page: Page, selector: string) => page.locator(selector).textContent();

  it('staff find a person by e-mail, read consents in words, and file an access request for them', async () => {
    const key = await publishedPurpose(t, 'newsletter-salon', { channels: ['email', 'sms'] });
    const s = await createSubject(t, { email: 'marta.osoba@example.com' });
    const version = (await t.request('GET', `/v1/purposes/${key}`)).body.currentVersion;
    const granted = await t.request('POST', `/v1/subjects/${s.id}/consents`, {
      purpose: key,
      channel: 'sms',
      version,
      decision: 'granted',
      locale: 'pl',
      source: { method: 'web' },
    });
    expect(granted.status).toBe(201);

    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    await find(page, 'marta.osoba@example.com');
    expect(new URL(page.url()).pathname).toBe(`/console/subjects/${s.id}`);
    const consents = (await text(page, '#subject-consents'))!;
    expect(consents).toContain('udzielona');
    expect(consents).toContain('SMS');
    // Words, not codes: the purpose by its name, the status and channel in Polish, never `granted`.
    expect(consents).toContain((await t.request('GET', `/v1/purposes/${key}`)).body.name);
    expect(consents).not.toContain('granted');

    // Staff may file a request but not hold or restrict (no subjects:write).
    await expect(page.locator('form[action$="/holds"]').count()).resolves.toBe(0);
    await expect(page.locator('form[action$="/restriction"]').count()).resolves.toBe(0);
    const form = page.locator(`form[action="/console/subjects/${s.id}/requests"]`);
    await expect(form.locator('input[type=radio]:checked').count()).resolves.toBe(0);
    await form.getByRole('button', { name: 'Złóż żądanie' }).click();
    await expect(text(page, '#e-type')).resolves.toBe('Wybierz rodzaj żądania.');
    await form.getByLabel('dostęp do danych (art. 15)').check();
    await form.getByLabel(/Tożsamość osoby sprawdzona/).check();
    await form.getByRole('button', { name: 'Złóż żądanie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Żądanie przyjęte');
    const requestId = new URL(page.url()).pathname.split('/').pop()!;
    const filed = (await t.request('GET', `/v1/requests/${requestId}`)).body;
    expect(filed).toMatchObject({ type: 'access', subjectId: s.id });
    expect(filed.verifiedAt).not.toBeNull();
    const audit = await t.request('GET', `/v1/audit?targetId=${requestId}&limit=10`);
    expect(audit.body.items.map((e: { actor: { type: string } }) => e.actor.type)).toContain('staff');

    // The same type again: the open request, one deadline.
    await page.goto(`${t.baseUrl}/console/subjects/${s.id}`);
    await form.getByLabel('dostęp do danych (art. 15)').check();
    await form.getByRole('button', { name: 'Złóż żądanie' }).click();
    expect(new URL(page.url()).pathname).toBe(`/console/requests/${requestId}`);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('ma już otwarte żądanie');
    await page.close();
  });

  it('the DPO holds erasure and releases it, each refusal named under its field', async () => {
    const s = await createSubject(t, { email: 'jan.hold@example.com' });
    const page = await browser.newPage();
    await signIn(page, 'iod@example.com');
    await page.goto(`${t.baseUrl}/console/subjects/${s.id}`);
    await page.getByLabel(/Powód \(np. sygnatura/).fill('Sprawa I C 123/25');
    await page.getByLabel(/Zatrzymywane kategorie/).fill('Faktury!');
    await page.getByRole('button', { name: 'Wstrzymaj usunięcie' }).click();
    await expect(text(page, '#e-hold-basis')).resolves.toBe('Wybierz podstawę z listy.');
    await expect(text(page, '#e-hold-categories')).resolves.toContain('krótkie klucze');
    await expect(page.getByLabel(/Powód \(np. sygnatura/).inputValue()).resolves.toBe('Sprawa I C 123/25');

    await page.getByLabel('Podstawa (art. 17 ust. 3)').selectOption('legal_claims');
    await page.getByLabel(/Zatrzymywane kategorie/).fill('invoices, eye_exam_records');
    await page.getByRole('button', { name: 'Wstrzymaj usunięcie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Usunięcie wstrzymane.');
    const holds = (await text(page, '#subject-holds'))!;
    expect(holds).toContain('roszczenia (art. 17 ust. 3 lit. e)');
    expect(holds).toContain('eye_exam_records, invoices');
    expect((await t.request('GET', `/v1/subjects/${s.id}`)).body.onHold).toBe(true);
    await checkA11y(page);
    await screenshot(page, 'console-person-hold-pl');

    await page.getByRole('button', { name: 'Zwolnij wstrzymanie: Sprawa I C 123/25' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Wstrzymanie zwolnione.');
    await expect(text(page, '#subject-holds')).resolves.toContain('zakończone');
    expect((await t.request('GET', `/v1/subjects/${s.id}`)).body.onHold).toBe(false);
    // The person's audit trail, newest first, in words and with who acted by name.
    const trail = (await page.locator('#subject-trail li').allTextContents()).map((li) => li.replace(/^.*?: /, ''));
    const released = trail.indexOf('zwolniono wstrzymanie usunięcia (iod@example.com)');
    const held = trail.indexOf('wstrzymano usunięcie (iod@example.com)');
    expect(released).toBeGreaterThanOrEqual(0);
    expect(held).toBeGreaterThan(released);
    expect(trail).toContain('wyświetlono dane osoby (iod@example.com)');
    expect(trail[trail.length - 1]).toMatch(/^dodano osobę \(klucz API/);
    expect(trail.join(' ')).not.toMatch(/subject\.|hold_/);
    await page.close();
  });

  it('the DPO restricts processing and lifts it only after the person is told (Art. 18(3))', async () => {
    const mailed = await createSubject(t, { email: 'ewa.restrict@example.com' });
    const offline = await createSubject(t, { email: undefined, phone: '+48 601 555 444' });
    const page = await browser.newPage();
    await signIn(page, 'iod@example.com');

    await page.goto(`${t.baseUrl}/console/subjects/${mailed.id}`);
    await page.getByRole('button', { name: 'Ogranicz przetwarzanie' }).click();
    await expect(text(page, '#e-restrict-reason')).resolves.toBe('Podaj powód albo wybierz podstawę z listy.');
    await page.getByLabel('Podstawa ograniczenia').selectOption('accuracy_contested');
    await page.getByRole('button', { name: 'Ogranicz przetwarzanie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Przetwarzanie ograniczone.');
    await expect(text(page, '#restriction-state')).resolves.toContain('osoba kwestionuje prawidłowość danych');
    expect((await t.request('GET', `/v1/subjects/${mailed.id}`)).body.restriction.reason).toBe('accuracy_contested');
    await checkA11y(page);
    await screenshot(page, 'console-person-restricted-pl');
    // With an e-mail address the notice is queued; the restriction ends when it is sent.
    await page.getByRole('button', { name: 'Znieś ograniczenie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Zawiadomienie wysyłane');
    expect((await t.request('GET', `/v1/subjects/${mailed.id}`)).body.restriction.liftNotice).not.toBeNull();

    // Without one, staff record how and when they told the person, or nothing is lifted.
    await page.goto(`${t.baseUrl}/console/subjects/${offline.id}`);
    await page.getByLabel('Podstawa ograniczenia').selectOption('legal_claims');
    await page.getByRole('button', { name: 'Ogranicz przetwarzanie' }).click();
    await page.getByRole('button', { name: 'Znieś ograniczenie' }).click();
    await expect(text(page, '#e-lift-toldBy')).resolves.toContain('Ta osoba nie ma adresu e-mail');
    expect((await t.request('GET', `/v1/subjects/${offline.id}`)).body.restriction).not.toBeNull();
    // Told after the restriction began (the picker has minutes: the next one, within the allowed clock skew).
    const told = DateTime.now().setZone('Europe/Warsaw').plus({ minutes: 1 }).startOf('minute');
    await page.getByLabel(/Jak poinformowano osobę/).selectOption('phone');
    await page.getByLabel('Kiedy (czas polski)').fill(told.toFormat("yyyy-LL-dd'T'HH:mm"));
    await page.getByRole('button', { name: 'Znieś ograniczenie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Ograniczenie zniesione.');
    expect((await t.request('GET', `/v1/subjects/${offline.id}`)).body.restriction).toBeNull();
    await page.close();
  });

  it('the person’s page passes axe-core in Polish and English', async () => {
    const s = await createSubject(t, { email: 'axe.person@example.com' });
    const page = await browser.newPage();
    for (const lang of ['pl', 'en'] as const) {
      await signIn(page, 'iod@example.com', lang);
      const res = await page.goto(`${t.baseUrl}/console/subjects/${s.id}`);
      expect(res?.status()).toBe(200);
      await checkA11y(page, `person (${lang})`);
      await screenshot(page, `console-person-${lang}`);
    }
    await page.close();
  });
});
