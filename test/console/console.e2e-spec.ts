import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { pdfText } from '../support/pdf-text';

import { publishedPurpose } from '../consent/consent-fixtures';
import { createSubject, waitForStatus } from '../requests/support';
import { consoleFind, consoleSignIn } from './console-support';
import { BrowserApp, startBrowserApp } from '../support/browser-app';
import { BrowserSession, checkA11y, screenshot } from '../support/browser';
import { eventually, TestApp } from '../support/test-app';
import { createStaff } from '../users/staff-client';

/** The staff console in a real browser (Debian's Chromium): login, a request, roles, audit, accessibility. */
describe('console in the browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let app: BrowserApp | undefined;
  let requestId: string;
  let subjectId: string;
  let purposeKey: string;

  beforeAll(async () => {
    app = await startBrowserApp();
    ({ t, browser } = app);
    await createStaff(t, 'ola.staff@example.com', 'staff');
    await createStaff(t, 'iod@example.com', 'dpo');
    await createStaff(t, 'max.marketing@example.com', 'marketing');
    await createStaff(t, 'szef@example.com', 'admin');
    purposeKey = await publishedPurpose(t, 'newsletter', { channels: ['email'] });
    const s = await createSubject(t);
    subjectId = s.id;
    // Not verified: the request stays open (awaiting verification), so it can be extended.
    const r = await t.request('POST', '/v1/requests', { type: 'access', subjectId });
    expect(r.status).toBe(201);
    requestId = r.body.id;
  });

  afterAll(() => app?.close());

  const signIn = (page: Page, email: string, lang: 'pl' | 'en' = 'pl') =>
    consoleSignIn(browser, page, t.baseUrl, email, lang);

  it('a staff member signs in (a wrong password gets a generic message) and extends a request', async () => {
    const page = await browser.newPage();
    const first = await page.goto(`${t.baseUrl}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(first?.status()).toBe(200);
    await checkA11y(page);
    await screenshot(page, 'console-login-pl');

    await page.getByLabel('Adres e-mail').fill('ola.staff@example.com');
    await page.getByLabel('Hasło').fill('zupełnie nie to hasło');
    await page.getByRole('button', { name: 'Zaloguj się' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Nieprawidłowy e-mail, hasło lub kod.');

    await signIn(page, 'ola.staff@example.com');
    expect(new URL(page.url()).pathname).toBe('/console/requests');
    const row = page.locator(`a[href="/console/requests/${requestId}"]`);
    await expect(row.count()).resolves.toBe(1);
    await checkA11y(page);
    await screenshot(page, 'console-requests-pl');

    await row.click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('dostęp do danych');
    await checkA11y(page);
    await page.getByLabel('O ile miesięcy').selectOption('2');
    await page.getByLabel('Uzasadnienie (zostanie przekazane osobie)').first().fill('Duża liczba żądań w tym miesiącu');
    await page.getByRole('button', { name: 'Przedłuż' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Termin przedłużony');
    await screenshot(page, 'console-request-extended-pl');

    const r = await t.request('GET', `/v1/requests/${requestId}`);
    expect(r.body.extensionMonths).toBe(2);
    // The API did the change with the staff member as the actor.
    const audit = await t.request('GET', `/v1/audit?targetId=${requestId}&action=request.extended`);
    expect(audit.body.items[0]?.actor.type).toBe('staff');
    await page.close();
  });

  it('extends the request of a person without e-mail only with how and when they were told (Art. 12(3))', async () => {
    const s = await createSubject(t, { email: undefined, phone: '+48 601 202 303' });
    const receivedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const id = (await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, receivedAt })).body.id;
    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    await page.goto(`${t.baseUrl}/console/requests/${id}`);
    await page.getByLabel('Uzasadnienie (zostanie przekazane osobie)').first().fill('Dokumenty w archiwum');
    await page.getByRole('button', { name: 'Przedłuż' }).click();
    // Refused under the field that asks how the person was told, with the reasons typed kept.
    await expect(page.locator('#e-told-by').textContent()).resolves.toContain('poinformuj ją w inny sposób');
    await expect(page.locator('#told-by').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#extend-reason').inputValue()).resolves.toBe('Dokumenty w archiwum');
    expect((await t.request('GET', `/v1/requests/${id}`)).body.extensionMonths).toBe(0);

    // A time without the way it was told is refused under the way, and nothing changes.
    const told = DateTime.now().setZone('Europe/Warsaw').minus({ days: 1 }).startOf('minute');
    await page.getByLabel('Kiedy (czas polski)').fill(told.toFormat("yyyy-LL-dd'T'HH:mm"));
    await page.getByRole('button', { name: 'Przedłuż' }).click();
    await expect(page.locator('#e-told-by').textContent()).resolves.toBe('Wybierz, jak poinformowano osobę.');
    await expect(page.locator('#told-at').inputValue()).resolves.toBe(told.toFormat("yyyy-LL-dd'T'HH:mm"));
    expect((await t.request('GET', `/v1/requests/${id}`)).body.extensionMonths).toBe(0);

    await page.getByLabel('Sposób').selectOption('phone');
    await page.getByLabel('Kiedy (czas polski)').fill(told.toFormat("yyyy-LL-dd'T'HH:mm"));
    await page.getByRole('button', { name: 'Przedłuż' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Termin przedłużony');
    await checkA11y(page);
    const r = await t.request('GET', `/v1/requests/${id}`);
    expect(r.body).toMatchObject({
      extensionMonths: 1,
      extensionToldBy: 'phone',
      extensionToldAt: told.toUTC().toISO(),
    });
    await page.close();
  });

  it('a staff role gets the 403 page for register, retention and API keys', async () => {
    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    for (const path of ['/console/register', '/console/retention', '/console/keys', '/console/audit']) {
      const res = await page.goto(`${t.baseUrl}${path}`);
      expect(res?.status()).toBe(403);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Brak dostępu');
    }
    await checkA11y(page);
    await screenshot(page, 'console-403-pl');
    const nav = await page.locator('nav a').allTextContents();
    expect(nav).not.toContain('Rejestr czynności');
    await page.close();
  });

  it('staff find a person by e-mail or phone and a request by its number, with nothing personal in the URL', async () => {
    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    // People of this test's own: a later test counts the views of the shared subject.
    const mailed = await createSubject(t);
    const phoned = await createSubject(t, { phone: '+48 600 100 200' });
    const find = (q: string) => consoleFind(page, t.baseUrl, q);
    const byEmail = await find(`  ${mailed.email.toUpperCase()} `);
    expect(byEmail.pathname).toBe(`/console/subjects/${mailed.id}`);
    await expect(page.locator('main').textContent()).resolves.toContain('Nowak');
    expect((await find('600-100-200')).pathname).toBe(`/console/subjects/${phoned.id}`);
    expect((await find('+48600100200')).pathname).toBe(`/console/subjects/${phoned.id}`);
    expect((await find(requestId.toUpperCase())).pathname).toBe(`/console/requests/${requestId}`);
    expect((await find(mailed.id)).pathname).toBe(`/console/subjects/${mailed.id}`);
    const missing = await find('nikt.taki@example.com');
    expect(missing.pathname).toBe('/console/consents');
    expect(missing.search).toBe('?problem=person_not_found');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Nie znaleziono osoby ani żądania');
    await checkA11y(page);
    await screenshot(page, 'console-find-pl');
    await page.close();
  });

  it('the DPO signs off the register only after confirming its mandatory gaps, and sees who and when', async () => {
    const page = await browser.newPage();
    await signIn(page, 'iod@example.com');
    await page.goto(`${t.baseUrl}/console/register`);
    const gaps = page.locator('#register-gaps tbody tr');
    expect(await gaps.count()).toBeGreaterThan(0);
    await expect(gaps.first().textContent()).resolves.toContain('obowiązkowe (art. 30)');
    await expect(page.locator('#register-version').textContent()).resolves.toContain('jeszcze nie');
    await checkA11y(page);
    await screenshot(page, 'console-register-gaps-pl');
    // The browser asks for the box; a post without it (the box left out) is refused by the server all the same.
    await page.locator('input[name="confirmGaps"]').evaluate((box) => box.remove());
    await page.getByRole('button', { name: 'Zatwierdź rejestr w obecnej postaci' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('potwierdź');
    expect((await t.request('GET', '/v1/register/versions')).body.items).toHaveLength(0);
    await page.getByLabel('Zatwierdzam rejestr mimo obowiązkowych braków').check();
    await page.getByRole('button', { name: 'Zatwierdź rejestr w obecnej postaci' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Rejestr zatwierdzony.');
    // Who signed, by e-mail, and when, in Polish time with the hour.
    const version = (await page.locator('#register-version').textContent()) ?? '';
    expect(version).toContain('iod@example.com');
    const signed = (await t.request('GET', '/v1/register/versions')).body.items as { signedOffAt: string }[];
    expect(signed).toHaveLength(1);
    const warsaw = DateTime.fromISO(signed[0].signedOffAt).setZone('Europe/Warsaw');
    expect(version).toContain(`wersja 1, ${warsaw.setLocale('pl').toFormat('d MMMM yyyy')}`);
    expect(version).toContain(warsaw.toFormat('HH:mm'));
    await page.close();
  });

  it('the DPO verifies the audit log and sees the extension in it, and a forged entry named', async () => {
    const page = await browser.newPage();
    await signIn(page, 'iod@example.com', 'en');
    await page.goto(`${t.baseUrl}/console/audit`);
    // In words, not the code the log stores.
    await expect(page.locator('table').textContent()).resolves.toContain('deadline extended');
    await page.getByRole('button', { name: 'Verify the log' }).click();
    await expect(page.locator('#verify-result').textContent()).resolves.toMatch(
      /The log is intact: \d+ entries checked\./,
    );
    await checkA11y(page);
    await screenshot(page, 'console-audit-verified-en');

    // An entry the worker's sequencer sealed, edited behind the service's back: the page names the fault and where.
    const [sealed] = await eventually(async () => {
      const rows = await t.dataSource.query(
        `SELECT l.seq, l.position, a.reason FROM audit_leaves l JOIN audit_log a USING (seq)
          ORDER BY l.position DESC LIMIT 1`,
      );
      return rows.length ? rows : null;
    });
    await t.asOwner(`
      ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
      UPDATE audit_log SET reason = 'forged' WHERE seq = ${Number(sealed.seq)};
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    await page.getByRole('button', { name: 'Verify the log' }).click();
    await expect(page.locator('#verify-result').textContent()).resolves.toContain(
      `The log fails verification: an entry was edited (position ${sealed.position}).`,
    );
    // Put back as it was: the later tests verify the log too.
    await t.asOwner('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await t.asOwner('UPDATE audit_log SET reason = $1 WHERE seq = $2', [sealed.reason, sealed.seq]);
    await t.asOwner('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    await page.close();
  });

  it('marketing sees consent views only, never the person’s identity', async () => {
    const page = await browser.newPage();
    await signIn(page, 'max.marketing@example.com');
    expect(new URL(page.url()).pathname).toBe('/console/consents');
    expect(await page.locator('nav a').allTextContents()).toEqual(['Zgody', 'Moje konto']);
    await page.getByLabel('Identyfikator osoby (UUID)').fill(subjectId);
    await page.getByRole('button', { name: 'Pokaż' }).click();
    expect(new URL(page.url()).pathname).toBe(`/console/subjects/${subjectId}`);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Twoja rola nie obejmuje wglądu w dane osobowe.');
    expect(text).toContain(purposeKey);
    expect(text).not.toContain('@example.com');
    expect(text).not.toContain('Nowak');
    await checkA11y(page);
    for (const path of ['/console/requests', `/console/requests/${requestId}`, '/console/register', '/console/audit']) {
      expect((await page.goto(`${t.baseUrl}${path}`))?.status()).toBe(403);
    }
    const viewed = await t.request('GET', `/v1/audit?action=subject.viewed&targetId=${subjectId}`);
    expect(viewed.body.items).toHaveLength(0);
    await page.close();
  });

  it('staff record a consent given in the store; a subject view with personal data is audited', async () => {
    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    await page.goto(`${t.baseUrl}/console/subjects/${subjectId}`);
    await expect(page.locator('main').textContent()).resolves.toContain('Nowak');
    // Issue 13 item 14: nothing is chosen for staff; the decision, the method, who expressed it and the language
    // of the text shown are theirs to pick.
    await expect(page.locator('input[name="decision"]:checked').count()).resolves.toBe(0);
    await expect(page.locator('input[name="expressedBy"]:checked').count()).resolves.toBe(0);
    await page.getByLabel('Język tekstu zgody pokazanego osobie').selectOption('pl');
    await page.getByLabel('udzielona').check();
    await page.getByLabel('Sposób wyrażenia').selectOption('store');
    await page.getByLabel('sama osoba').check();
    await page.getByRole('button', { name: 'Zapisz' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Zgoda zapisana.');
    const consents = await t.request('GET', `/v1/subjects/${subjectId}/consents`);
    expect(consents.body.items.find((c: { purpose: string }) => c.purpose === purposeKey).status).toBe('granted');
    const history = await t.request('GET', `/v1/subjects/${subjectId}/consents/history`);
    expect(history.body.items[0].source).toMatchObject({ method: 'store', staffId: expect.any(String) });
    const viewed = await t.request('GET', `/v1/audit?action=subject.viewed&targetId=${subjectId}`);
    expect(viewed.body.items.length).toBeGreaterThanOrEqual(2);
    expect(viewed.body.items[0].actor.type).toBe('staff');

    // The proof, readable: the exact text shown, how it was given, who recorded it, the digest checked.
    const event = history.body.items[0];
    await page
      .getByRole('link', { name: new RegExp(`^dowód zgody .* \\(email\\)$`) })
      .first()
      .click();
    expect(new URL(page.url()).pathname).toBe(`/console/subjects/${subjectId}/consents/${event.id}`);
    const decision = (await page.locator('#proof-decision').textContent())!;
    expect(decision).toContain('udzielona');
    expect(decision).toContain('salon');
    expect(decision).toContain('sama osoba');
    expect(decision).toContain('ola.staff@example.com');
    expect(decision).toContain('tak, zgodna');
    const proof = (await t.request('GET', `/v1/subjects/${subjectId}/consents/${event.id}/proof`)).body;
    await expect(page.locator('#proof-text-body').textContent()).resolves.toContain(proof.text.title);
    await expect(page.locator('main').textContent()).resolves.toContain(proof.receipt);
    await checkA11y(page);
    await screenshot(page, 'console-consent-proof-pl');
    await page.close();
  });

  it('refuses a consent form sent with nothing chosen, each reason under its field, and records nothing', async () => {
    const s = await createSubject(t);
    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    await page.goto(`${t.baseUrl}/console/subjects/${s.id}`);
    // The browser's own checks are taken away, as a hand-made post would be.
    await page
      .locator('form[action$="/consents"] [required]')
      .evaluateAll((els) => els.forEach((el) => el.removeAttribute('required')));
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Zapisz' }).click();
    expect((await refused).status()).toBe(422);
    await expect(page.locator('#e-text-locale').textContent()).resolves.toBe(
      'Wybierz język tekstu zgody, który osoba zobaczyła.',
    );
    await expect(page.locator('#e-decision').textContent()).resolves.toBe('Wybierz decyzję osoby.');
    await expect(page.locator('#e-method').textContent()).resolves.toBe('Wybierz, jak osoba wyraziła decyzję.');
    // Who expressed it has no default either: the API would take the person, the console asks.
    await expect(page.locator('#e-expressedBy').textContent()).resolves.toBe('Wybierz, kto wyraził decyzję.');
    await checkA11y(page);
    expect((await t.request('GET', `/v1/subjects/${s.id}/consents/history`)).body.items).toHaveLength(0);
    await page.close();
  });

  it('staff record a guardian’s consent for a child, naming the guardian, in the language of the text shown', async () => {
    const year = new Date().getUTCFullYear();
    const child = await createSubject(t, { birthDate: `${year - 12}-03-01` });
    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    await page.goto(`${t.baseUrl}/console/subjects/${child.id}`);
    await page.getByLabel('Język tekstu zgody pokazanego osobie').selectOption('en');
    await page.getByLabel('udzielona').check();
    await page.getByLabel('Sposób wyrażenia').selectOption('phone');
    await page.getByLabel('opiekun prawny (dziecko poniżej 16 lat)').check();
    // Without the guardian's name the API's DTO refuses it: the reason is under that field, and what staff chose
    // comes back chosen.
    await page.getByRole('button', { name: 'Zapisz' }).click();
    await expect(page.locator('#e-guardian-name').textContent()).resolves.toBe(
      'Podaj imię i nazwisko opiekuna (do 200 znaków).',
    );
    await expect(page.locator('#text-locale').inputValue()).resolves.toBe('en');
    await expect(page.locator('#method').inputValue()).resolves.toBe('phone');
    await expect(page.getByLabel('udzielona').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('opiekun prawny (dziecko poniżej 16 lat)').isChecked()).resolves.toBe(true);
    expect((await t.request('GET', `/v1/subjects/${child.id}/consents/history`)).body.items).toHaveLength(0);
    await page.getByLabel('Imię i nazwisko opiekuna (tylko gdy wyraził opiekun)').fill('Jan Opiekun');
    await page.getByLabel('Stosunek do dziecka (np. matka)').fill('ojciec');
    await page.getByRole('button', { name: 'Zapisz' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Zgoda zapisana.');
    const [event] = (await t.request('GET', `/v1/subjects/${child.id}/consents/history`)).body.items;
    expect(event).toMatchObject({
      decision: 'granted',
      locale: 'en',
      expressedBy: 'guardian',
      source: { method: 'phone' },
    });
    const proof = await t.request('GET', `/v1/subjects/${child.id}/consents/${event.id}/proof`);
    expect(proof.body.evidence).toEqual({ guardian: { name: 'Jan Opiekun', relation: 'ojciec' } });
    await page.close();
  });

  it('links a completed erasure to its certificate, readable and signed (issue 13 item 2)', async () => {
    const s = await createSubject(t);
    const created = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, verified: true });
    expect(created.status).toBe(201);
    await waitForStatus(t, created.body.id, ['completed']);
    const page = await browser.newPage();
    await signIn(page, 'ola.staff@example.com');
    await page.goto(`${t.baseUrl}/console/requests/${created.body.id}`);
    const signed = await page.getByRole('link', { name: 'Zaświadczenie podpisane (JSON)' }).getAttribute('href');
    expect(signed).toBe(`/v1/requests/${created.body.id}/certificate`);
    await page.getByRole('link', { name: 'Zaświadczenie o usunięciu (do czytania)' }).click();
    await page.waitForURL(/\/certificate$/);
    expect(await page.locator('h1').textContent()).toBe('Zaświadczenie o usunięciu danych');
    const text = (await page.locator('main').textContent())!;
    expect(text).toContain(created.body.id);
    expect(text).toContain('dane usunięte we wszystkich systemach');
    expect(text).toContain('nie zostały w nim żadne Twoje dane');
    await checkA11y(page);

    // Issue 13 item 3: under a hold on one category the page says, per category, what was kept and why.
    const held = await createSubject(t);
    const until = DateTime.now().plus({ years: 2 }).toUTC().toISO()!;
    const hold = { reason: 'Spór', legalBasis: 'legal_claims', categories: ['email'], until };
    expect((await t.request('POST', `/v1/subjects/${held.id}/holds`, hold)).status).toBe(201);
    const kept = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: held.id, verified: true });
    await waitForStatus(t, kept.body.id, ['completed']);
    await page.goto(`${t.baseUrl}/console/requests/${kept.body.id}/certificate`);
    const keptText = (await page.locator('main').textContent())!;
    expect(keptText).toContain('Kategorie danych');
    expect(keptText).toContain(
      'email: zachowane (ustalenie, dochodzenie lub obrona roszczeń (art. 17 ust. 3 lit. e RODO)',
    );
    expect(keptText).toContain('name: zablokowane do czasu usunięcia zachowanych danych');
    expect(keptText).not.toContain('legal_hold');
    await checkA11y(page);
    const pdfHref = (await page.getByRole('link', { name: 'Pobierz zaświadczenie (PDF)' }).getAttribute('href'))!;
    expect(pdfHref).toBe(`/console/requests/${kept.body.id}/certificate.pdf`);
    const pdf = await page.request.get(`${t.baseUrl}${pdfHref}?lang=pl`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    const pdfBody = await pdfText(new Uint8Array(await pdf.body()));
    expect(pdfBody).toContain('Zaświadczenie o usunięciu danych');
    expect(pdfBody).toContain('ustalenie, dochodzenie lub obrona roszczeń');
    await page.close();
  });

  it('every console page passes axe-core (no serious or critical issues) in Polish and English', async () => {
    const page = await browser.newPage();
    const pages = [
      '/console/requests',
      `/console/requests/${requestId}`,
      `/console/subjects/${subjectId}`,
      '/console/consents',
      '/console/audit?verify=1',
      '/console/register',
      '/console/retention',
      '/console/keys',
      '/console/account',
    ];
    for (const lang of ['pl', 'en'] as const) {
      await signIn(page, 'szef@example.com', lang);
      for (const path of pages) {
        const res = await page.goto(`${t.baseUrl}${path}`);
        expect(res?.status()).toBe(200);
        await expect(page.locator('html').getAttribute('lang')).resolves.toBe(lang);
        await checkA11y(page, `${path} (${lang})`);
        await screenshot(page, `console-${path.split('?')[0].split('/').slice(2, 3).join('') || 'home'}-${lang}`);
      }
    }
    await page.close();
  });
});
