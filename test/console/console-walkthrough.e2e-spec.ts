import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { totpCode } from '../../src/users/totp';
import { createSubject, createSystem, unzip, waitForStatus } from '../requests/support';
import { BrowserSession, checkA11y, launchBrowser, screenshot } from '../support/browser';
import { pdfText } from '../support/pdf-text';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { asStaff, createStaff, GOOD_PASSWORD, login, STAFF_ENV } from '../users/staff-client';

const local = (ms: number) => DateTime.fromMillis(ms).setZone('Europe/Warsaw').toFormat("yyyy-LL-dd'T'HH:mm");

/**
 * Issue 15's walkthrough: a DPO's day in the console alone, in one browser session, without the API. Signed in
 * with a second factor, the DPO finds a caller by e-mail, files an access request for her, completes it and
 * downloads her package; finds another person's erasure by its number and reads and downloads its certificate;
 * records a breach, previews and confirms the people affected, and records the notification to UODO.
 */
describe('console: a DPO’s day, end to end', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let browser: BrowserSession;
  let secret: string;
  let dpoId: string;
  let ewa: { id: string; email: string };
  let erasureId: string;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ role: 'all', env: { ...STAFF_ENV, SMTP_URL: smtp.url } });
    browser = await launchBrowser();
    dpoId = (await createStaff(t, 'iod@example.com', 'dpo')).id;
    // The DPO's second factor, enrolled before the day starts (the enrolment page has its own test).
    const session = await login(t, 'iod@example.com');
    secret = (await asStaff(t, session, 'POST', '/v1/users/me/totp')).body.secret;
    expect((await asStaff(t, session, 'POST', '/v1/users/me/totp/confirm', { code: totpCode(secret) })).status).toBe(
      204,
    );
    // A data system without a webhook: its tasks are done by hand, in the console.
    await createSystem(t, { key: 'crm', name: 'CRM salonów', kind: 'manual', dataCategories: ['phone'], purposes: [] });
    ewa = await createSubject(t, {
      email: 'ewa.klientka@example.com',
      firstName: 'Ewa',
      lastName: 'Klientka',
      externalId: 'K-77',
      externalSystem: 'crm',
    });
    // Another person, erased last week: the certificate is asked for later by its request number.
    const jan = await createSubject(t, { firstName: 'Jan', lastName: 'Usunięty' });
    erasureId = (await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: jan.id, verified: true })).body
      .id;
    const waiting = await waitForStatus(t, erasureId, ['awaiting_recipients']);
    const task = waiting.tasks.find((x: { system: string }) => x.system === 'crm');
    const done = await t.request('POST', `/v1/requests/${erasureId}/tasks/${task.id}/complete`, { status: 'done' });
    expect(done.status).toBe(200);
    await waitForStatus(t, erasureId, ['completed']);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  const text = (page: Page, selector: string) => page.locator(selector).first().textContent();
  const find = async (page: Page, q: string) => {
    await page.goto(`${t.baseUrl}/console/consents`);
    await page.getByLabel('E-mail, telefon, identyfikator w systemie klienta lub numer żądania').fill(q);
    await page.getByRole('button', { name: 'Znajdź osobę lub żądanie' }).click();
  };

  it('signs in with TOTP, serves a caller, reads an erasure certificate and handles a breach', async () => {
    await browser.resetCookies();
    const page = await browser.newPage();

    // 1. Password, then the code from the authenticator app.
    await page.goto(`${t.baseUrl}/console`);
    await page.getByLabel('Adres e-mail').fill('iod@example.com');
    await page.getByLabel('Hasło').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Zaloguj się' }).click();
    expect(new URL(page.url()).pathname).toBe('/console/login/totp');
    await checkA11y(page);
    // The next time step's code: the enrolment's own was used once and cannot be replayed.
    await page.getByLabel('Kod').fill(totpCode(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Potwierdź' }).click();
    expect(new URL(page.url()).pathname).toBe('/console/requests');

    // 2. The caller gives her e-mail address: typed as heard, found exactly, and nothing personal in the URL.
    await find(page, ' Ewa.Klientka@Example.com ');
    expect(new URL(page.url()).pathname).toBe(`/console/subjects/${ewa.id}`);
    expect(page.url()).not.toContain('klientka');
    await expect(text(page, 'main')).resolves.toContain('Ewa Klientka');
    await checkA11y(page);
    await screenshot(page, 'walkthrough-person-pl');

    // 3. She asks for her data: the DPO files an access request for her, identity checked on the phone.
    const form = page.locator(`form[action="/console/subjects/${ewa.id}/requests"]`);
    await form.getByLabel('dostęp do danych (art. 15)').check();
    await form.getByLabel(/Tożsamość osoby sprawdzona/).check();
    await form.getByRole('button', { name: 'Złóż żądanie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Żądanie przyjęte');
    const accessId = new URL(page.url()).pathname.split('/').pop()!;
    await expect(text(page, 'h1')).resolves.toBe('Żądanie: dostęp do danych (art. 15)');

    // 4. The CRM has no webhook: its task is done by hand, and the request completes.
    await eventually(async () => {
      await page.reload();
      return (await page.locator('input[name=status][value=done]').count()) === 1;
    }, 20_000);
    await page.getByLabel('wykonane').check();
    await page.getByRole('button', { name: 'Zapisz', exact: true }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Wynik zadania zapisany.');
    await eventually(async () => {
      await page.reload();
      return (await text(page, 'dl.facts'))!.includes('zakończone: zrealizowane');
    }, 20_000);
    await checkA11y(page);
    await screenshot(page, 'walkthrough-request-done-pl');

    // 5. Her package, downloaded from the request's page: it holds her data.
    const href = (await page.getByRole('link', { name: 'Pobierz pakiet danych' }).getAttribute('href'))!;
    const zip = await page.request.get(`${t.baseUrl}${href}`);
    expect(zip.status()).toBe(200);
    expect(zip.headers()['content-type']).toBe('application/zip');
    const files = [...(await unzip(await zip.body())).values()].join('\n');
    expect(files).toContain('ewa.klientka@example.com');

    // 6. Another person's erasure, found by its request number; its certificate read and downloaded.
    await find(page, erasureId.toUpperCase());
    expect(new URL(page.url()).pathname).toBe(`/console/requests/${erasureId}`);
    await page.getByRole('link', { name: 'Zaświadczenie o usunięciu (do czytania)' }).click();
    await page.waitForURL(/\/certificate$/);
    await expect(text(page, 'h1')).resolves.toBe('Zaświadczenie o usunięciu danych');
    await expect(text(page, 'main')).resolves.toContain(erasureId);
    await checkA11y(page);
    const pdfHref = (await page.getByRole('link', { name: 'Pobierz zaświadczenie (PDF)' }).getAttribute('href'))!;
    const pdf = await page.request.get(`${t.baseUrl}${pdfHref}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    await expect(pdfText(new Uint8Array(await pdf.body()))).resolves.toContain('Zaświadczenie o usunięciu danych');

    // 7. A breach: recorded, the 72-hour clock running.
    await page.getByRole('link', { name: 'Naruszenia' }).click();
    await page.getByRole('link', { name: 'Zgłoś nowe naruszenie' }).click();
    await page.getByLabel('Co się stało').fill('Eksport kontaktów z CRM wysłany na zły adres e-mail.');
    await page.getByLabel(/Kiedy wykryto/).fill(local(Date.now() - 2 * 3_600_000));
    await page.getByLabel(/Kto zgłosił/).fill('Dział sprzedaży');
    await page.getByLabel('CRM salonów crm').check();
    await page.getByLabel(/Kategorie danych/).fill('phone');
    await page.getByLabel('Ocena ryzyka').selectOption('risk');
    await page.getByLabel(/Uzasadnienie oceny/).fill('Numery telefonów bez innych danych: ryzyko, nie wysokie.');
    await page.getByRole('button', { name: 'Zarejestruj naruszenie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Naruszenie zarejestrowane');
    const breachId = new URL(page.url()).pathname.split('/').pop()!;
    await expect(text(page, '#breach-clock')).resolves.toMatch(/zostało (69|70) godz\./);

    // 8. The people affected: a preview that records nothing, then the confirmation of exactly that selection.
    await page.getByRole('button', { name: 'Pokaż, ile osób obejmie wybór' }).click();
    await expect(text(page, '#affected-preview')).resolves.toContain('Wybór obejmie 1 osobę (systemy: crm;');
    expect((await t.request('GET', `/v1/breaches/${breachId}/affected-subjects`)).body.total).toBe(0);
    await page.getByRole('button', { name: 'Zapisz wybór 1 osoby' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Wybór osób zapisany.');
    expect((await t.request('GET', `/v1/breaches/${breachId}/affected-subjects`)).body.total).toBe(1);
    // The one person selected is the one the CRM holds (the API gives counts only; the table says who).
    const selected = await t.dataSource.query('SELECT subject_id FROM breach_affected_subjects WHERE breach_id = $1', [
      breachId,
    ]);
    expect(selected).toEqual([{ subject_id: ewa.id }]);

    // 9. The notification sent to UODO, with its case number.
    await page.getByLabel('Kiedy wysłano (czas polski)').fill(local(Date.now() - 60_000));
    await page.getByLabel('Numer sprawy w UODO').fill('DKN.5130.12.2026');
    await page.getByRole('button', { name: 'Zapisz wysłane zgłoszenie' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Zgłoszenie do UODO zapisane.');
    await expect(text(page, '#breach-notifications')).resolves.toContain('DKN.5130.12.2026');
    await checkA11y(page);
    await screenshot(page, 'walkthrough-breach-notified-pl');
    expect((await t.request('GET', `/v1/breaches/${breachId}`)).body.status).toBe('notified');

    // Every change of the day is on record with the DPO as the one who acted.
    for (const [action, target] of [
      ['request.received', accessId],
      ['breach.created', breachId],
    ]) {
      const entries = (await t.request('GET', `/v1/audit?action=${action}&targetId=${target}`)).body.items;
      expect(entries[0]?.actor).toEqual({ type: 'staff', id: dpoId });
    }
    await page.close();
  });
});
