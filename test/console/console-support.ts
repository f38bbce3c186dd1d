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
