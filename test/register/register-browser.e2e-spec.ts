import { BrowserSession, checkA11y, launchBrowser, screenshot } from '../support/browser';
import { startTestApp, TestApp } from '../support/test-app';
import { CONTROLLER_NAME, seedOpticianWithRegister } from './register-fixtures';

/** Issue 7: the HTML register renders in a real browser, and what a person reads there is what the JSON says. */
describe('register: the HTML export in Chromium', () => {
  let t: TestApp;
  let browser: BrowserSession;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { CONTROLLER_NAME } });
    await seedOpticianWithRegister(t);
    browser = await launchBrowser();
    await browser.context.setExtraHTTPHeaders({ authorization: `Bearer ${t.adminKey}` });
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it.each(['pl', 'en'])('renders every activity with its columns (%s)', async (lang) => {
    const json = (await t.request('GET', `/v1/register?lang=${lang}`)).body;
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${t.baseUrl}/v1/register?format=html&lang=${lang}`);
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(await page.locator('body').innerText()).toContain(CONTROLLER_NAME);

    // The rendered table, cell by cell, as the browser lays it out (whitespace collapsed as a reader sees it).
    const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
    const headers = (await page.locator('table#register thead th').allInnerTexts()).map(squash);
    expect(headers).toEqual(json.columns.map((c: { header: string }) => squash(c.header)));
    const rows = page.locator('table#register tbody tr');
    expect(await rows.count()).toBe(json.activities.length);
    for (let i = 0; i < json.activities.length; i++) {
      const cells = (await rows.nth(i).locator('td').allInnerTexts()).map(squash);
      expect(cells).toEqual(
        json.columns.map((c: { key: string }) => squash(String(json.activities[i].row[c.key] ?? ''))),
      );
    }
    await checkA11y(page, `register-${lang}`);
    const png = await screenshot(page, `register-${lang}`);
    expect(png).toMatch(/register-(pl|en)\.png$/);
    await page.close();
  });
});
