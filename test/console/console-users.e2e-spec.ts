import type { Page } from 'playwright-core';
import { toString as qrSvg } from 'qrcode';
import { totpCode, totpUri } from '../../src/users/totp';
import { consoleSignIn } from './console-support';
import { BrowserSession, checkA11y, launchBrowser, screenshot } from '../support/browser';
import { startTestApp, TestApp } from '../support/test-app';
import { asStaff, createStaff, GOOD_PASSWORD, login, STAFF_ENV } from '../users/staff-client';

const ISSUER = 'Optyk Testowy sp. z o.o.';

/** Users, API keys and the second factor in the console (issue 15 item 4), in a real browser. */
describe('console: users, keys and the second factor', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let admin: { id: string };

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { ...STAFF_ENV, CONTROLLER_NAME: ISSUER } });
    browser = await launchBrowser();
    admin = await createStaff(t, 'admin@example.com', 'admin');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (page: Page, email: string, lang: 'pl' | 'en' = 'pl') =>
    consoleSignIn(browser, page, t.baseUrl, email, lang);

  const fieldError = (page: Page, id: string) => page.locator(`#${id}`).textContent();

  it('an admin adds a user: each refusal is named under its field in Polish, the e-mail typed is kept', async () => {
    const page = await browser.newPage();
    await signIn(page, 'admin@example.com');
    await page.getByRole('link', { name: 'Użytkownicy' }).click();
    expect(new URL(page.url()).pathname).toBe('/console/users');

    const form = page.locator('form[action="/console/users"]');
    await form.getByLabel('E-mail').fill('to nie jest e-mail');
    await form.getByLabel('Rola').selectOption('staff');
    await form.getByLabel(/Hasło początkowe/).fill(GOOD_PASSWORD);
    let res = await Promise.all([page.waitForResponse(/\/console\/users$/), form.getByRole('button').click()]);
    expect(res[0].status()).toBe(422);
    await expect(fieldError(page, 'e-email')).resolves.toBe('Podaj adres e-mail (np. jan.kowalski@firma.pl).');
    await expect(form.getByLabel('E-mail').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(form.getByLabel('E-mail').inputValue()).resolves.toBe('to nie jest e-mail');
    await expect(page.locator('#e-password').count()).resolves.toBe(0);

    await form.getByLabel('E-mail').fill('nowa.osoba@example.com');
    await form.getByLabel('Rola').selectOption('staff');
    await form.getByLabel(/Hasło początkowe/).fill('haslo123');
    res = await Promise.all([page.waitForResponse(/\/console\/users$/), form.getByRole('button').click()]);
    expect(res[0].status()).toBe(422);
    const weak = await fieldError(page, 'e-password');
    expect(weak).toContain('Hasło nie spełnia zasad:');
    expect(weak).toContain('za krótkie (co najmniej 12 znaków)');
    // The password is never sent back into the page.
    await expect(form.getByLabel(/Hasło początkowe/).inputValue()).resolves.toBe('');
    await checkA11y(page);
    await screenshot(page, 'console-users-errors-pl');

    // The role chosen was kept; with none chosen (how the form starts: nobody gets a role by not looking) it is named.
    await expect(form.getByLabel('Rola').inputValue()).resolves.toBe('staff');
    await form.getByLabel('Rola').selectOption('');
    await form.getByLabel(/Hasło początkowe/).fill(GOOD_PASSWORD);
    res = await Promise.all([page.waitForResponse(/\/console\/users$/), form.getByRole('button').click()]);
    await expect(fieldError(page, 'e-role')).resolves.toBe('Wybierz rolę.');

    await form.getByLabel('Rola').selectOption('staff');
    await form.getByLabel(/Hasło początkowe/).fill(GOOD_PASSWORD);
    await form.getByRole('button').click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Konto utworzone.');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Konto: nowa.osoba@example.com');
    const listed = (await t.request('GET', '/v1/users?limit=50')).body.items;
    expect(listed.find((u: { email: string }) => u.email === 'nowa.osoba@example.com')).toMatchObject({
      role: 'staff',
    });
    const audit = await t.request('GET', '/v1/audit?action=staff_user.created&limit=50');
    expect(audit.body.items[0].actor).toEqual({ type: 'staff', id: admin.id });

    await page.goto(`${t.baseUrl}/console/users`);
    await form.getByLabel('E-mail').fill('Nowa.Osoba@example.com');
    await form.getByLabel('Rola').selectOption('dpo');
    await form.getByLabel(/Hasło początkowe/).fill(GOOD_PASSWORD);
    await form.getByRole('button').click();
    await expect(fieldError(page, 'e-email')).resolves.toBe('Konto z tym adresem e-mail już istnieje.');
    await page.close();
  });

  it('an admin changes a role, disables, enables and ends sessions; each change ends the user’s sessions', async () => {
    const u = await createStaff(t, 'kasia@example.com', 'marketing');
    const page = await browser.newPage();
    await signIn(page, 'admin@example.com');
    await page.goto(`${t.baseUrl}/console/users`);
    await page.getByRole('link', { name: 'Zarządzaj kontem kasia@example.com' }).click();
    expect(new URL(page.url()).pathname).toBe(`/console/users/${u.id}`);
    await checkA11y(page);
    await screenshot(page, 'console-user-pl');

    let session = await login(t, 'kasia@example.com');
    await page.getByLabel('Zmień rolę').selectOption('dpo');
    await page.getByRole('button', { name: 'Zmień rolę' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Rola zmieniona');
    expect((await t.request('GET', `/v1/users/${u.id}`)).body.role).toBe('dpo');
    expect((await asStaff(t, session, 'GET', '/v1/users/me')).status).toBe(401);

    await page.getByRole('button', { name: 'Zablokuj konto' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Konto zablokowane');
    const refused = await t.request(
      'POST',
      '/v1/auth/login',
      { email: 'kasia@example.com', password: GOOD_PASSWORD },
      { key: null },
    );
    expect(refused.status).toBe(401);
    await page.getByRole('button', { name: 'Odblokuj konto' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Konto odblokowane');

    session = await login(t, 'kasia@example.com');
    await page.getByRole('button', { name: 'Wyloguj ze wszystkich urządzeń' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Wszystkie sesje użytkownika zakończone');
    expect((await asStaff(t, session, 'GET', '/v1/users/me')).status).toBe(401);

    await page.getByLabel(/Nowe hasło/).fill('krótkie');
    await page.getByRole('button', { name: 'Ustaw hasło' }).click();
    await expect(fieldError(page, 'e-password')).resolves.toContain('za krótkie');
    await page.getByLabel(/Nowe hasło/).fill('zupełnie inne hasło do okularów 9');
    await page.getByRole('button', { name: 'Ustaw hasło' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Hasło ustawione');
    await expect(login(t, 'kasia@example.com', 'zupełnie inne hasło do okularów 9')).resolves.toBeTruthy();

    const actions = (await t.request('GET', `/v1/audit?targetId=${u.id}&limit=50`)).body.items.map(
      (e: { action: string }) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'staff_user.role_changed',
        'staff_user.disabled',
        'staff_user.enabled',
        'staff_user.password_reset',
      ]),
    );
    await page.close();
  });

  it('an admin’s own account offers no role or disable buttons, and a forged post is refused', async () => {
    const page = await browser.newPage();
    await signIn(page, 'admin@example.com');
    await page.goto(`${t.baseUrl}/console/users/${admin.id}`);
    await expect(page.locator('form[action$="/disabled"]').count()).resolves.toBe(0);
    await expect(page.locator('.notice').first().textContent()).resolves.toContain('To Twoje konto');
    // The form of another user's page, pointed at one's own id.
    const other = await createStaff(t, 'ktos@example.com', 'staff');
    await page.goto(`${t.baseUrl}/console/users/${other.id}`);
    await page
      .locator('form[action$="/disabled"]')
      .evaluate((f, id) => f.setAttribute('action', `/console/users/${id}/disabled`), admin.id);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Zablokuj konto' }).click(),
    ]);
    expect(res.status()).toBe(403);
    expect((await t.request('GET', `/v1/users/${admin.id}`)).body.disabled).toBe(false);
    await page.close();
  });

  it('a staff member enrols TOTP from a QR code drawn on the server, then signs in with a code; an admin removes it', async () => {
    const u = await createStaff(t, 'tomek@example.com', 'staff');
    const page = await browser.newPage();
    await signIn(page, 'tomek@example.com');
    await page.goto(`${t.baseUrl}/console/account`);
    await page.getByRole('button', { name: 'Włącz drugi składnik' }).click();
    const secret = (await page.locator('#totp-secret').textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The code drawn is exactly the enrolment URI an app expects: same issuer, account and secret.
    const expected = await qrSvg(totpUri(secret, ISSUER, 'tomek@example.com'), {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    const drawn = page.getByRole('img', { name: 'Kod QR do dodania konta w aplikacji uwierzytelniającej' });
    const pathOf = (svg: string) => /<path stroke[^>]* d="([^"]+)"/.exec(svg)?.[1];
    expect(pathOf(await drawn.evaluate((el) => el.outerHTML))).toBe(pathOf(expected));
    await expect(page.locator('script').count()).resolves.toBe(0);
    await checkA11y(page);
    await screenshot(page, 'console-account-totp-pl');

    await page.getByLabel('Potwierdź kodem z aplikacji').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Potwierdź' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Drugi składnik włączony');

    await signIn(page, 'tomek@example.com');
    expect(new URL(page.url()).pathname).toBe('/console/login/totp');
    // The next time step's code: the enrolment's own was used once and cannot be replayed.
    await page.getByLabel('Kod').fill(totpCode(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Potwierdź' }).click();
    expect(new URL(page.url()).pathname).toBe('/console/requests');

    await signIn(page, 'admin@example.com');
    await page.goto(`${t.baseUrl}/console/users/${u.id}`);
    await page.getByRole('button', { name: 'Usuń drugi składnik (zgubiony telefon)' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Drugi składnik usunięty');
    await expect(login(t, 'tomek@example.com')).resolves.toBeTruthy();
    await page.close();
  });

  it('a staff member changes their own password: each refusal named under its field, the session kept', async () => {
    await createStaff(t, 'marek@example.com', 'staff');
    const other = await login(t, 'marek@example.com');
    const page = await browser.newPage();
    await signIn(page, 'marek@example.com');
    await page.goto(`${t.baseUrl}/console/account`);
    const change = async (current: string, next: string) => {
      await page.getByLabel('Obecne hasło').fill(current);
      await page.getByLabel(/Nowe hasło/).fill(next);
      await page.getByRole('button', { name: 'Zmień hasło' }).click();
    };
    await change('nie to hasło', 'okulary słoneczne na lato 2027');
    await expect(fieldError(page, 'e-currentPassword')).resolves.toBe('Obecne hasło jest nieprawidłowe.');
    await change(GOOD_PASSWORD, 'krótkie');
    await expect(fieldError(page, 'e-newPassword')).resolves.toContain('za krótkie');
    await change(GOOD_PASSWORD, 'okulary słoneczne na lato 2027');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Hasło zmienione.');
    // This session goes on; the one on another device ended.
    expect((await page.goto(`${t.baseUrl}/console/account`))?.status()).toBe(200);
    expect((await asStaff(t, other, 'GET', '/v1/users/me')).status).toBe(401);
    await expect(login(t, 'marek@example.com', 'okulary słoneczne na lato 2027')).resolves.toBeTruthy();
    await page.close();
  });

  it('API keys: scopes are ticked (none by default), the key is shown once and works with exactly those scopes', async () => {
    const page = await browser.newPage();
    await signIn(page, 'admin@example.com');
    await page.goto(`${t.baseUrl}/console/keys`);
    await expect(page.locator('input[type=checkbox][name^="scope-"]:checked').count()).resolves.toBe(0);
    await page.getByLabel('Nazwa').fill('sklep internetowy');
    await page.getByRole('button', { name: 'Utwórz klucz' }).click();
    await expect(fieldError(page, 'e-scopes')).resolves.toBe('Zaznacz co najmniej jedno uprawnienie.');
    await expect(page.getByLabel('Nazwa').inputValue()).resolves.toBe('sklep internetowy');

    await page.getByLabel(/sprawdzanie zgód i listy odbiorców/).check();
    await page.getByRole('button', { name: 'Utwórz klucz' }).click();
    const key = (await page.locator('#created-key').textContent())!;
    expect(key).toMatch(/^zk_/);
    expect(page.url()).not.toContain(key);
    await checkA11y(page);
    await screenshot(page, 'console-keys-created-pl');

    const withKey = (path: string) => t.request('GET', path, undefined, { key });
    expect((await withKey('/v1/purposes')).status).toBe(200);
    expect((await withKey('/v1/users')).status).toBe(403);

    await page.goto(`${t.baseUrl}/console/keys`);
    await expect(page.locator('#keys').textContent()).resolves.toContain('sprawdzanie zgód i listy odbiorców');
    await page.getByRole('button', { name: 'Unieważnij: sklep internetowy' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Klucz unieważniony');
    expect((await withKey('/v1/purposes')).status).toBe(401);
    await page.close();
  });

  it('the users, user and keys pages pass axe-core in Polish and English', async () => {
    const other = await createStaff(t, 'axe@example.com', 'dpo');
    const page = await browser.newPage();
    for (const lang of ['pl', 'en'] as const) {
      await signIn(page, 'admin@example.com', lang);
      for (const [path, name] of [
        ['/console/users', 'users'],
        [`/console/users/${other.id}`, 'user'],
        ['/console/keys', 'keys'],
      ]) {
        const res = await page.goto(`${t.baseUrl}${path}`);
        expect(res?.status()).toBe(200);
        await expect(page.locator('html').getAttribute('lang')).resolves.toBe(lang);
        await checkA11y(page, `${path} (${lang})`);
        await screenshot(page, `console-${name}-${lang}`);
        // The customer footer ("the controller of your data is ...") speaks to customers, not staff.
        await expect(page.locator('footer').count()).resolves.toBe(0);
      }
    }
    await page.goto(`${t.baseUrl}/portal?lang=pl`);
    await expect(page.locator('footer').textContent()).resolves.toContain(ISSUER);
    await page.close();
  });
});
