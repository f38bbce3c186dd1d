import type { Page } from 'playwright-core';
import { addAndPublish, createSubject, grant, purposeBody, uniqueKey } from '../consent/consent-fixtures';
import { BrowserSession, checkA11y, launchBrowser, screenshot } from '../support/browser';
import { startTestApp, TestApp } from '../support/test-app';
import { checkedFetch } from '../support/contract';

/** The preference centre behind the signed link in marketing messages, in a real browser. */
describe('web: preference centre in Chromium', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let page: Page;
  let news: string;
  let offers: string;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { PUBLIC_RATE_LIMIT_PER_MINUTE: 10_000 } });
    news = uniqueKey('newsletter');
    offers = uniqueKey('offers');
    for (const [key, name] of [
      [news, 'Newsletter'],
      [offers, 'Oferty partnerów'],
    ]) {
      const created = await t.request('POST', '/v1/purposes', purposeBody(key, { name, channels: ['email', 'sms'] }));
      expect(created.status).toBe(201);
      await addAndPublish(t, key);
    }
    const analytics = await t.request(
      'POST',
      '/v1/purposes',
      purposeBody(uniqueKey('analytics'), {
        name: 'Analiza zakupów',
        legalBasis: 'legitimate_interests',
        marketing: false,
      }),
    );
    expect(analytics.status).toBe(201);
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const decision = async (key: string, subjectId: string, channel: string) =>
    (await t.request('GET', `/v1/consents/check?purpose=${key}&channel=${channel}&subjectId=${subjectId}`)).body as {
      allowed: boolean;
      reason: string;
    };

  async function linkFor(subjectId: string): Promise<string> {
    const res = await t.request('POST', `/v1/subjects/${subjectId}/preference-links`, {});
    expect(res.status).toBe(201);
    return `${new URL(res.body.url).pathname}${new URL(res.body.url).search}`;
  }

  it('offers each decision’s signed receipt, naming the controller from its settings (issue 13 item 13)', async () => {
    const settings = await t.request('PUT', '/v1/settings/controller', {
      name: 'Optyk Wzorcowy sp. z o.o.',
      address: 'ul. Przykładowa 1, 00-001 Warszawa',
      contact: 'iod@optyk.example',
    });
    expect(settings.status).toBe(200);
    const subjectId = await createSubject(t);
    const granted = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() });
    expect(granted.status).toBe(201);
    await page.goto(`${t.baseUrl}${await linkFor(subjectId)}`);
    await page.waitForURL(/\/portal\/preferences\?token=/);
    const link = page.getByRole('link', { name: /^Pobierz potwierdzenie \(podpisane\)\s*: Newsletter, E-mail$/i });
    const href = await link.getAttribute('href');
    expect(href).toContain(`consent=${granted.body.id}`);
    await checkA11y(page, 'preferences-receipt');
    const res = await t.request('GET', href!, undefined, { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="zgoda-receipt-${granted.body.id}.json"`);
    expect(res.body).toMatchObject({ consentId: granted.body.id, receipt: granted.body.receipt });
    expect(res.body.payload).toMatchObject({
      piiControllers: [
        {
          piiController: 'Optyk Wzorcowy sp. z o.o.',
          contact: 'iod@optyk.example',
          address: 'ul. Przykładowa 1, 00-001 Warszawa',
        },
      ],
      storageLocation: 'EEA (Poland)',
    });
    // Another person's decision is not reachable with this link.
    const other = await createSubject(t);
    const theirs = await t.request('POST', `/v1/subjects/${other}/consents`, { purpose: news, ...grant() });
    const stolen = await t.request('GET', href!.replace(granted.body.id, theirs.body.id), undefined, { key: null });
    expect(stolen.status).toBe(404);
  });

  it('shows every purpose and channel with the text agreed to, and withdraws one channel only', async () => {
    const subjectId = await createSubject(t);
    for (const channel of ['email', 'sms']) {
      expect(
        (await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant({ channel }) }))
          .status,
      ).toBe(201);
    }
    // The link as marketing messages carry it (/public/preferences); a browser lands on the page.
    await page.goto(`${t.baseUrl}${await linkFor(subjectId)}`);
    await page.waitForURL(/\/portal\/preferences\?token=/);
    expect(await page.locator('h1').textContent()).toBe('Twoje zgody');
    const newsCard = page.locator('section', { has: page.getByRole('heading', { name: 'Newsletter' }) });
    expect(await newsCard.getByText('Zgoda udzielona').count()).toBe(2);
    expect(await newsCard.locator('details summary').first().textContent()).toContain('wersja 1');
    expect(await newsCard.locator('blockquote').first().textContent()).toContain('Wyrażam zgodę: Newsletter');
    await checkA11y(page, 'preferences-pl');
    await screenshot(page, 'preferences-pl');

    await newsCard.getByRole('button', { name: /^Wycofaj zgodę\s*: Newsletter, SMS$/ }).click();
    await page.waitForURL(/done=withdrawn/);
    expect(await page.getByRole('status').textContent()).toContain('Zgoda została wycofana.');
    expect(await decision(news, subjectId, 'sms')).toMatchObject({ allowed: false });
    expect(await decision(news, subjectId, 'email')).toMatchObject({ allowed: true });
    // The evidence of the withdrawal names the page it was made on, not the one-click link in a message.
    const [withdrawal] = await t.dataSource.query(
      `SELECT source_method, source_location FROM consent_events
        WHERE subject_id = $1 AND purpose_key = $2 AND channel = 'sms' AND decision = 'withdrawn'`,
      [subjectId, news],
    );
    expect(withdrawal).toEqual({ source_method: 'web', source_location: 'preference-centre' });

    // English, with the state as it is now.
    await page.locator('header a[hreflang]').click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Your consents');
    await checkA11y(page, 'preferences-en');
    await screenshot(page, 'preferences-en');
  });

  it('grants with the version shown as evidence, and withdraws everything with one button', async () => {
    const subjectId = await createSubject(t);
    await browser.resetCookies();
    await page.goto(`${t.baseUrl}${await linkFor(subjectId)}&lang=en`);
    const offersCard = page.locator('section', { has: page.getByRole('heading', { name: 'Oferty partnerów' }) });
    await offersCard.getByRole('button', { name: /^I consent\s*: Oferty partnerów, e-mail$/ }).click();
    await page.waitForURL(/done=granted/);
    expect(await decision(offers, subjectId, 'email')).toMatchObject({ allowed: true });
    const [event] = await t.dataSource.query(
      `SELECT version, locale, source_method, source_location FROM consent_events WHERE subject_id = $1 AND purpose_key = $2`,
      [subjectId, offers],
    );
    expect(event).toMatchObject({
      version: 1,
      locale: 'en',
      source_method: 'web',
      source_location: 'preference-centre',
    });

    await page.getByRole('button', { name: 'Withdraw all consents' }).click();
    await page.waitForURL(/done=all/);
    expect(await decision(offers, subjectId, 'email')).toMatchObject({ allowed: false });
    await checkA11y(page, 'preferences-after-withdraw-all-en');

    // The objection path leads to the portal's Art. 21 form.
    await page.getByRole('link', { name: 'Object' }).click();
    await page.waitForURL(/\/portal\?type=objection/);
    expect(await page.locator('#type-objection').isChecked()).toBe(true);
    expect(await page.getByLabel('Analiza zakupów').count()).toBe(1);
    await checkA11y(page, 'portal-objection-en');
  });

  it('refuses a withdrawal without the CSRF token and a forged link', async () => {
    const subjectId = await createSubject(t);
    await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() });
    const token = new URL(`http://x${await linkFor(subjectId)}`).searchParams.get('token')!;
    const forged = await checkedFetch(`${t.baseUrl}/portal/preferences/withdraw-all`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect(await decision(news, subjectId, 'email')).toMatchObject({ allowed: true });
    const bad = await page.goto(`${t.baseUrl}/portal/preferences?token=${token.slice(0, -4)}AAAA`);
    expect(bad!.status()).toBe(400);
  });
});
