import type { Page } from 'playwright-core';
import { pdfText } from '../support/pdf-text';
import { SmtpCatcher } from '../support/smtp-catcher';
import { createSubject, createSystem, WebhookReceiver } from '../requests/support';
import { BrowserSession, checkA11y, launchBrowser, screenshot } from '../support/browser';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { checkedFetch } from '../support/contract';

const SHOP_SECRET = 'shop-secret-for-portal-browser-test-0001';

/** The customer portal in a real browser: file, check mail, verify, follow status, download, in pl and en. */
describe('web: customer portal in Chromium', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let shop: WebhookReceiver;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    shop = await WebhookReceiver.start(
      SHOP_SECRET,
      (call) =>
        call.action === 'access'
          ? { status: 200, body: { status: 'done', data: { orders: [{ number: 'Z/1', total: '120.00' }] } } }
          : { status: 200, body: { status: 'done' } },
      () => t.baseUrl,
    );
    t = await startTestApp({
      role: 'all',
      env: {
        SMTP_URL: smtp.url,
        CONTROLLER_NAME: 'Optyk Wzorcowy sp. z o.o.',
        PUBLIC_RATE_LIMIT_PER_MINUTE: 10_000,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: true,
      },
    });
    await createSystem(t, {
      key: 'shop',
      name: 'Sklep',
      kind: 'webhook',
      dataCategories: ['orders'],
      purposes: [],
      webhook: { url: shop.url, secret: SHOP_SECRET },
    });
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
    await shop?.close();
  });

  const url = (path: string) => `${t.baseUrl}${path}`;
  const pathOf = (link: string) => `${new URL(link).pathname}${new URL(link).search}`;
  const mailLink = async (email: string, re: RegExp) => {
    const mail = await eventually(async () => smtp.to(email).find((m) => re.test(m.text)));
    return pathOf(re.exec(mail.text)![1]);
  };

  /** axe-core and a screenshot of the page as it is, then of the same page in the other language. */
  async function inBothLanguages(name: string) {
    const lang = await page.getAttribute('html', 'lang');
    await checkA11y(page, name);
    await screenshot(page, `${name}-${lang}`);
    const other = page.locator('header a[hreflang]');
    if (!(await other.count())) return;
    await other.click();
    const otherLang = await page.getAttribute('html', 'lang');
    expect(otherLang).not.toBe(lang);
    await checkA11y(page, `${name} (${otherLang})`);
    await screenshot(page, `${name}-${otherLang}`);
    await page.locator('header a[hreflang]').click();
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
  }

  it('files an access request, verifies it from the e-mail, follows its status and downloads the package', async () => {
    const s = await createSubject(t);
    await page.goto(url('/portal'));
    expect(await page.getAttribute('html', 'lang')).toBe('pl');
    expect(await page.locator('h1').textContent()).toBe('Twoje dane osobowe');
    await inBothLanguages('portal-home');

    // Empty form: errors come back on the page, linked to their fields, without JavaScript.
    await page.getByRole('button', { name: 'Wyślij żądanie' }).click();
    await expect422(page);
    await checkA11y(page, 'portal-home-errors');
    await screenshot(page, 'portal-home-errors-pl');

    await page.getByLabel(/Chcę wiedzieć, jakie dane o mnie macie/).check();
    await page.getByLabel('Twój adres e-mail').fill(s.email);
    await page.getByRole('button', { name: 'Wyślij żądanie' }).click();
    await page.waitForURL(/\/portal\/sent/);
    expect(await page.locator('h1').textContent()).toBe('Sprawdź swoją skrzynkę');
    await inBothLanguages('portal-sent');

    // The link in the e-mail points at /public/verify; a browser is sent on to the portal's page.
    const verifyPath = await mailLink(s.email, /(https?:\/\/\S+\/public\/verify\?token=\S+)/);
    await page.goto(url(verifyPath));
    await page.waitForURL(/\/portal\/verify\?token=/);
    expect(await page.locator('h1').textContent()).toBe('Potwierdź żądanie');
    await inBothLanguages('portal-verify');
    const requestId = (
      await t.dataSource.query(`SELECT id FROM requests WHERE subject_id = $1 AND type = 'access'`, [s.id])
    )[0].id as string;
    // A GET (what a mail scanner does) verified nothing.
    expect((await t.request('GET', `/v1/requests/${requestId}`)).body.status).toBe('awaiting_verification');

    await page.getByRole('button', { name: 'Potwierdzam żądanie' }).click();
    expect(await page.locator('h1').textContent()).toBe('Żądanie potwierdzone');
    await checkA11y(page, 'portal-verified');
    await screenshot(page, 'portal-verified-pl');

    await page.getByRole('link', { name: 'Zobacz stan żądania' }).click();
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}\\?token=`));
    const statusPath = pathOf(page.url());
    expect(await page.locator('h1').textContent()).toBe('Stan żądania');
    expect(await page.locator('main').textContent()).toContain('dostęp do danych (art. 15 RODO)');

    // The worker asks the shop, packs the answer and mails a download link.
    await eventually(async () => {
      const r = await t.request('GET', `/v1/requests/${requestId}`);
      if (r.body.status !== 'completed') throw new Error(r.body.status);
      return true;
    }, 30_000);
    expect(shop.calls.some((c) => c.requestId === requestId && c.action === 'access')).toBe(true);
    await page.reload();
    expect(await page.locator('main').textContent()).toContain('Zakończone');
    await inBothLanguages('portal-status');

    // Their token shows only their own request: another id (real or not) is 404.
    const other = await t.request('POST', '/v1/requests', { type: 'access', subjectId: (await createSubject(t)).id });
    const token = new URL(url(statusPath)).searchParams.get('token')!;
    const foreign = await checkedFetch(url(`/portal/requests/${other.body.id}?token=${encodeURIComponent(token)}`));
    expect(foreign.status).toBe(404);
    const foreignText = await foreign.text();
    expect(foreignText).toContain('Nie znaleziono');
    expect(foreignText).not.toContain('Stan żądania');

    const resultPath = await mailLink(s.email, /(https?:\/\/\S+\/public\/requests\/\S+\/result\?token=\S+)/);
    const downloadToken = new URL(url(resultPath)).searchParams.get('token')!;
    await page.goto(url(`/portal/requests/${requestId}/download?token=${encodeURIComponent(downloadToken)}`));
    await inBothLanguages('portal-download');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Pobierz paczkę/ }).click(),
    ]);
    const file = await download.path();
    const bytes = require('node:fs').readFileSync(file) as Buffer;
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
  });

  it('files an erasure in English and offers the signed certificate once it is done', async () => {
    const s = await createSubject(t, { locale: 'en' });
    await browser.resetCookies();
    await page.goto(url('/portal?lang=en'));
    expect(await page.locator('h1').textContent()).toBe('Your personal data');
    await page.getByLabel('I want you to delete my data').check();
    await page.getByLabel('Your e-mail address').fill(s.email);
    await page.getByRole('button', { name: 'Send the request' }).click();
    await page.waitForURL(/\/portal\/sent/);
    expect(await page.getAttribute('html', 'lang')).toBe('en');

    const verifyPath = await mailLink(s.email, /(https?:\/\/\S+\/public\/verify\?token=\S+)/);
    await page.goto(url(verifyPath));
    await page.getByRole('button', { name: 'Confirm the request' }).click();
    expect(await page.locator('h1').textContent()).toBe('Request confirmed');
    await checkA11y(page, 'portal-verified-en');
    await screenshot(page, 'portal-verified-en');
    await page.getByRole('link', { name: 'See the status of the request' }).click();
    const requestId = /\/portal\/requests\/([0-9a-f-]{36})/.exec(page.url())![1];
    await eventually(async () => {
      const r = await t.request('GET', `/v1/requests/${requestId}`);
      if (r.body.status !== 'completed') throw new Error(r.body.status);
      return true;
    }, 30_000);
    await page.reload();
    await inBothLanguages('portal-status-erasure');
    const href = await page.getByRole('link', { name: 'Download the erasure certificate' }).getAttribute('href');
    const cert = await checkedFetch(url(href!));
    expect(cert.status).toBe(200);
    const body = (await cert.json()) as { certificate: string; jwksUrl: string };
    expect(body.certificate.split('.')).toHaveLength(3);
    expect(body.jwksUrl).toContain('/v1/requests/jwks.json');

    // Issue 13 item 2: the same certificate as a page the person can read, in their language.
    await page.getByRole('link', { name: 'View the erasure certificate' }).click();
    await page.waitForURL(/\/certificate\/view\?token=/);
    expect(await page.locator('h1').textContent()).toBe('Erasure certificate');
    const text = (await page.locator('main').textContent())!;
    expect(text).toContain(requestId);
    expect(text).toContain('data erased in every system');
    expect(text).toContain('none of your data is left in it');
    expect(text).toContain('Your address is on our suppression list');
    await inBothLanguages('portal-certificate');
    expect(await page.getByRole('link', { name: 'Download the signed certificate (JSON)' }).getAttribute('href')).toBe(
      href,
    );
    // And as a PDF, in either language, beside the signed file.
    const pdfHref = (await page.getByRole('link', { name: 'Download the certificate (PDF)' }).getAttribute('href'))!;
    for (const [lang, title, outcome] of [
      ['en', 'Erasure certificate', 'data erased in every system'],
      ['pl', 'Zaświadczenie o usunięciu danych', 'dane usunięte we wszystkich systemach'],
    ]) {
      const pdf = await checkedFetch(url(`${pdfHref}&lang=${lang}`));
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      const pdfBody = await pdfText(new Uint8Array(await pdf.arrayBuffer()));
      expect(pdfBody).toContain(title);
      expect(pdfBody).toContain(requestId);
      expect(pdfBody).toContain(outcome);
    }
    const stranger = await checkedFetch(url(pdfHref.replace(/token=[^&]+/, 'token=nope')));
    expect(stranger.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a form post without its CSRF token, and shows error pages people can read', async () => {
    const s = await createSubject(t);
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM requests`);
    const forged = await checkedFetch(url('/portal/requests'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ type: 'erasure', email: s.email }).toString(),
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toContain('text/html');
    expect(await forged.text()).toContain('Formularz wygasł');
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM requests`)).toEqual(before);

    await browser.resetCookies();
    for (const lang of ['pl', 'en']) {
      const res = await page.goto(url(`/portal/verify?token=not-a-real-token&lang=${lang}`));
      expect(res!.status()).toBe(400);
      await checkA11y(page, `portal-invalid-link-${lang}`);
      await screenshot(page, `portal-invalid-link-${lang}`);
    }
    expect(await page.locator('h1').textContent()).toBe('Invalid link');
  });
});

async function expect422(page: Page) {
  expect(await page.locator('[role=alert]').count()).toBe(1);
  expect(await page.locator('#e-email').textContent()).toBe('Podaj poprawny adres e-mail.');
}
