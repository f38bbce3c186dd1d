import type { Page } from 'playwright-core';
import { createSubject, createSystem, waitForStatus } from '../requests/support';

import { consoleSignIn } from './console-support';
import { BrowserApp, startBrowserApp } from '../support/browser-app';
import { BrowserSession, checkA11y, screenshot } from '../support/browser';
import { TestApp } from '../support/test-app';
import { createStaff } from '../users/staff-client';

/** A request's page (issue 15 item 3): its clock explained, tasks in words, a manual task completed by staff. */
describe('console: a request’s page', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let app: BrowserApp | undefined;

  beforeAll(async () => {
    app = await startBrowserApp();
    ({ t, browser } = app);
    await createStaff(t, 'ola.staff@example.com', 'staff');
    await createSystem(t, {
      key: 'archive',
      name: 'Archiwum papierowe',
      kind: 'manual',
      dataCategories: ['paper_forms'],
      purposes: [],
    });
  });

  afterAll(() => app?.close());

  const signIn = (page: Page, lang: 'pl' | 'en' = 'pl') =>
    consoleSignIn(browser, page, t.baseUrl, 'ola.staff@example.com', lang);

  it('explains the deadline, words the tasks, and completes a manual task only with an outcome chosen', async () => {
    const s = await createSubject(t);
    // Received 31 January: one month ends on 28 February (no 31st), a Saturday, so the deadline is Monday 2 March.
    const created = await t.request('POST', '/v1/requests', {
      type: 'access',
      subjectId: s.id,
      verified: true,
      receivedAt: '2026-01-31T10:00:00+01:00',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const waiting = await waitForStatus(t, id, ['awaiting_recipients']);
    expect(waiting.tasks.find((x: { system: string }) => x.system === 'archive').status).toBe('pending');

    const page = await browser.newPage();
    await signIn(page);
    await page.goto(`${t.baseUrl}/console/requests/${id}`);
    const clock = (await page.locator('#request-clock').textContent())!;
    expect(clock).toContain('Żądanie wpłynęło 31 stycznia 2026 10:00 (czas polski)');
    expect(clock).toContain('od następnego dnia, 1 lutego 2026');
    expect(clock).toContain('i wynosi 1 miesiąc (art. 12 ust. 3 RODO): do 28 lutego 2026');
    expect(clock).toContain('koniec przypada na jego ostatni dzień');
    expect(clock).toContain('28 lutego 2026: sobota; 1 marca 2026: niedziela');
    expect(clock).toContain('Termin odpowiedzi: 2 marca 2026.');
    const tasks = (await page.locator('table').first().textContent())!;
    expect(tasks).toContain('zebranie danych');
    expect(tasks).toContain('czeka');
    expect(tasks).not.toMatch(/\b(pending|access)\b/);
    await checkA11y(page);
    await screenshot(page, 'console-request-clock-pl');

    // No outcome pre-selected: a bare submit is refused and the task stays open.
    const complete = page.getByRole('button', { name: 'Zapisz', exact: true });
    await expect(page.locator('input[name=status]:checked').count()).resolves.toBe(0);
    await page.locator('input[name=status]').evaluateAll((els) => els.forEach((el) => el.removeAttribute('required')));
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await complete.click();
    expect((await refused).status()).toBe(422);
    // The reason is under the task's outcome, in Polish, and the form is the same task's.
    await expect(page.locator('fieldset .field-error').textContent()).resolves.toBe('Wybierz wynik zadania.');
    expect((await t.request('GET', `/v1/requests/${id}`)).body.status).toBe('awaiting_recipients');

    await page.getByLabel('wykonane').check();
    await complete.click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Wynik zadania zapisany.');
    await waitForStatus(t, id, ['completed']);
    await page.reload();
    await expect(page.locator('dl.facts').first().textContent()).resolves.toContain('zakończone: zrealizowane');
    const href = await page.getByRole('link', { name: 'Pobierz pakiet danych' }).getAttribute('href');
    const zip = await page.request.get(`${t.baseUrl}${href}`);
    expect(zip.headers()['content-type']).toBe('application/zip');
    await page.close();
  });

  it('refuses a rejection without its reasons under the field, keeping what was typed, then rejects (Art. 12(4))', async () => {
    const s = await createSubject(t);
    const id = (await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id })).body.id as string;
    const page = await browser.newPage();
    await signIn(page);
    await page.goto(`${t.baseUrl}/console/requests/${id}`);
    const reason = page.locator('#reject-reason');
    await reason.evaluate((el) => el.removeAttribute('minlength'));
    await reason.fill('ok');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Odmów' }).click();
    expect((await refused).status()).toBe(422);
    await expect(page.locator('#e-reject-reason').textContent()).resolves.toBe(
      'Podaj uzasadnienie (od 3 do 2000 znaków); osoba je otrzyma.',
    );
    await expect(reason.inputValue()).resolves.toBe('ok');
    await expect(reason.getAttribute('aria-invalid')).resolves.toBe('true');
    await checkA11y(page);
    expect((await t.request('GET', `/v1/requests/${id}`)).body.resolution).toBeNull();

    await reason.fill('Żądanie dotyczy danych, których nie przetwarzamy.');
    await page.getByRole('button', { name: 'Odmów' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Żądanie odrzucone');
    const after = await t.request('GET', `/v1/requests/${id}`);
    expect(after.body).toMatchObject({
      status: 'completed',
      resolution: 'rejected',
      resolutionReason: 'Żądanie dotyczy danych, których nie przetwarzamy.',
    });
    await page.close();
  });
});
