import type { Page } from 'playwright-core';
import { publishedPurpose } from '../consent/consent-fixtures';
import { consoleSignIn } from './console-support';
import { BrowserSession, checkA11y, launchBrowser, screenshot } from '../support/browser';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createStaff, STAFF_ENV } from '../users/staff-client';

/** Imports in the console (issue 15 item 6): start one, upload its file, follow it, download its errors. */
describe('console: imports', () => {
  let t: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    t = await startTestApp({ role: 'all', env: STAFF_ENV });
    browser = await launchBrowser();
    await createStaff(t, 'iod@example.com', 'dpo');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (page: Page, lang: 'pl' | 'en' = 'pl') =>
    consoleSignIn(browser, page, t.baseUrl, 'iod@example.com', lang);

  it('a DPO imports a CSV export: the mapping checked, the file streamed in, counters and errors shown', async () => {
    const news = await publishedPurpose(t, 'newsletter-import', { channels: ['email'] });
    const page = await browser.newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Importy' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Nie było jeszcze importów.');

    // CSV without a usable mapping: named under the field, the choice kept.
    await page.getByLabel(/CSV: jeden wiersz/).check();
    await page.getByLabel(/Mapowanie kolumn CSV/).fill('{"columns": ');
    await page.getByRole('button', { name: 'Rozpocznij import' }).click();
    await expect(page.locator('#e-mapping').textContent()).resolves.toContain('obiekt JSON z polem columns');
    await expect(page.getByLabel(/CSV: jeden wiersz/).isChecked()).resolves.toBe(true);

    await page
      .getByLabel(/Mapowanie kolumn CSV/)
      .fill('{"columns": {"email": "subject.email", "status": "decision", "optin_time": "occurredAt"}}');
    await page
      .getByLabel(/Wartości domyślne/)
      .fill(
        JSON.stringify({ purpose: news, channel: 'email', version: 1, locale: 'pl', source: { method: 'import' } }),
      );
    await page.getByRole('button', { name: 'Rozpocznij import' }).click();
    await expect(page.locator('#import-status').textContent()).resolves.toBe('czeka na plik');
    await checkA11y(page);
    await screenshot(page, 'console-import-pl');

    // After the text was published at the start of the test (an import row cannot predate the words it agreed to).
    const when = new Date(Date.now() - 500).toISOString();
    const csv = ['email,status,optin_time', `ola.import@example.com,granted,${when}`, `zly-adres,granted,${when}`].join(
      '\n',
    );
    await page
      .getByLabel('Plik')
      .setInputFiles({ name: 'mailing.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Wyślij plik' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Plik przyjęty');
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const done = await eventually(async () => {
      const r = (await t.request('GET', `/v1/imports/${id}`)).body;
      return ['completed', 'failed'].includes(r.status) ? r : null;
    }, 20_000);
    expect(done.status).toBe('completed');
    await page.getByRole('link', { name: 'Odśwież stan' }).click();
    await expect(page.locator('#import-status').textContent()).resolves.toBe('zakończony');
    await expect(page.locator('#import-rows').textContent()).resolves.toBe(
      'Wiersze: przeczytane 2, zaimportowane 1, pominięte (już były) 0, z błędem 1.',
    );
    const errors = await page.request.get(`${t.baseUrl}/console/imports/${id}/errors.csv`);
    expect(errors.headers()['content-type']).toContain('text/csv');
    const text = await errors.text();
    expect(text).toContain('row,field,code,message');
    expect(text).not.toContain('zly-adres');
    const check = await t.request(
      'GET',
      `/v1/consents/check?purpose=${news}&channel=email&email=${encodeURIComponent('ola.import@example.com')}`,
    );
    expect(check.body).toMatchObject({ allowed: true });
    await page.close();
  });

  it('refuses an upload without the form’s token, storing nothing', async () => {
    const created = await t.request('POST', '/v1/imports', { format: 'ndjson' });
    const page = await browser.newPage();
    await signIn(page);
    const res = await page.request.post(`${t.baseUrl}/console/imports/${created.body.id}/file`, {
      multipart: { file: { name: 'x.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from('{}\n') } },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    expect((await t.request('GET', `/v1/imports/${created.body.id}`)).body.status).toBe('awaiting_file');
    await page.close();
  });

  it('the import pages pass axe-core in Polish and English', async () => {
    const created = await t.request('POST', '/v1/imports', { format: 'ndjson', dryRun: true });
    const page = await browser.newPage();
    for (const lang of ['pl', 'en'] as const) {
      await signIn(page, lang);
      for (const [path, name] of [
        ['/console/imports', 'imports'],
        [`/console/imports/${created.body.id}`, 'import'],
      ]) {
        expect((await page.goto(`${t.baseUrl}${path}`))?.status()).toBe(200);
        await checkA11y(page, `${path} (${lang})`);
        await screenshot(page, `console-${name}-${lang}`);
      }
    }
    await page.close();
  });
});
