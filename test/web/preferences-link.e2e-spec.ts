import { PreferenceLinkMailer } from '../../src/consent';
import { publishedPurpose } from '../consent/consent-fixtures';
import { createSubject } from '../requests/support';
import { BrowserApp, startBrowserApp } from '../support/browser-app';
import { BrowserSession, checkA11y, screenshot } from '../support/browser';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, TestApp } from '../support/test-app';

/** Issue 15 item 9: a person without a marketing message at hand gets the preference centre link by e-mail. */
describe('portal: the preference centre link by e-mail', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let browser: BrowserSession;
  let app: BrowserApp | undefined;

  beforeAll(async () => {
    app = await startBrowserApp();
    ({ t, smtp, browser } = app);
  });

  afterAll(() => app?.close());

  it('sends the link only to a held address, answers the same for any address, and the link opens the centre', async () => {
    await publishedPurpose(t, 'newsletter', { channels: ['email'] });
    const s = await createSubject(t, { email: 'ania.link@example.com' });
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/portal?lang=pl`);
    await page.getByRole('link', { name: 'Nie masz tej wiadomości? Wyślemy Ci link e-mailem' }).click();
    expect(new URL(page.url()).pathname).toBe('/portal/preferences/link');
    await checkA11y(page);
    await screenshot(page, 'portal-preferences-link-pl');

    await page.getByLabel('Adres e-mail').fill('to nie adres');
    await page.getByRole('button', { name: 'Wyślij mi link' }).click();
    await expect(page.locator('#e-email').textContent()).resolves.toBe('Podaj adres e-mail w postaci nazwa@domena.pl.');

    // Recital 64: a held and an unknown address get the same answer and the same next page.
    const ask = async (email: string) => {
      await page.goto(`${t.baseUrl}/portal/preferences/link?lang=pl`);
      await page.getByLabel('Adres e-mail').fill(email);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Wyślij mi link' }).click(),
      ]);
      return { status: res.status(), location: res.headers().location, shown: await page.locator('main').innerHTML() };
    };
    const unknown = await ask('nikt.taki@example.com');
    const held = await ask('Ania.Link@example.com');
    expect(held).toEqual(unknown);
    expect(held.status).toBe(303);
    expect(held.shown).toContain('Jeśli ten adres jest w naszej bazie');

    const mail = await eventually(async () => smtp.to('ania.link@example.com')[0]);
    expect(mail.subject).toBe('Link do Państwa ustawień zgód');
    const link = /(https?:\/\/\S+\/portal\/preferences\?token=[^\s"<]+)/.exec(mail.text)?.[1];
    expect(link).toBeTruthy();
    await page.goto(new URL(new URL(link!).pathname + new URL(link!).search, t.baseUrl).toString());
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Twoje zgody');
    const audit = await t.request('GET', `/v1/audit?targetId=${s.id}&action=consent.preferences_link_sent`);
    expect(audit.body.items).toHaveLength(1);

    // The worker sends nothing for an unknown address, nor a second link within the quarter hour.
    const mailer = t.get(PreferenceLinkMailer);
    await expect(mailer.send({ subjectId: null, locale: 'pl' })).resolves.toEqual({ sent: false });
    await expect(mailer.send({ subjectId: s.id, locale: 'pl' })).resolves.toEqual({ sent: false });
    expect(smtp.messages.filter((m) => m.to.includes('nikt.taki@example.com'))).toHaveLength(0);
    expect(smtp.to('ania.link@example.com')).toHaveLength(1);
    await page.close();
  });
});
