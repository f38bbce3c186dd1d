import type { Page } from 'playwright-core';
import type { BrowserSession } from '../support/browser';
import { GOOD_PASSWORD } from '../users/staff-client';

/** Signs in through the console's login form in the page's language, as a new visitor (cookies cleared). */
export async function consoleSignIn(
  browser: BrowserSession,
  page: Page,
  baseUrl: string,
  email: string,
  lang: 'pl' | 'en' = 'pl',
): Promise<void> {
  await browser.resetCookies();
  await page.goto(`${baseUrl}/console/login?lang=${lang}`);
  await page.getByLabel(lang === 'pl' ? 'Adres e-mail' : 'E-mail address').fill(email);
  await page.getByLabel(lang === 'pl' ? 'Hasło' : 'Password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: lang === 'pl' ? 'Zaloguj się' : 'Sign in' }).click();
}

/** The console's search box (posted, so nothing typed lands in a URL); returns where it led. */
export async function consoleFind(page: Page, baseUrl: string, q: string, lang: 'pl' | 'en' = 'pl'): Promise<URL> {
  await page.goto(`${baseUrl}/console/consents?lang=${lang}`);
  await page
    .getByLabel(
      lang === 'pl'
        ? 'E-mail, telefon, identyfikator w systemie klienta lub numer żądania'
        : 'E-mail, phone, customer system id or request number',
    )
    .fill(q);
  await page
    .getByRole('button', { name: lang === 'pl' ? 'Znajdź osobę lub żądanie' : 'Find a person or request' })
    .click();
  return new URL(page.url());
}
