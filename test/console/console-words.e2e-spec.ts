import type { Page } from 'playwright-core';
import { publishedPurpose } from '../consent/consent-fixtures';
import { createSubject, createSystem, waitForStatus } from '../requests/support';
import { BrowserSession, launchBrowser } from '../support/browser';
import { startTestApp, TestApp } from '../support/test-app';
import { createStaff, GOOD_PASSWORD, STAFF_ENV } from '../users/staff-client';

// Codes the API speaks (statuses, types, roles, channels, grounds) that a Polish page must put into words.
const CODES = [
  'awaiting_verification',
  'in_progress',
  'awaiting_recipients',
  'awaiting_file',
  'completed',
  'cancelled',
  'failed',
  'verified',
  'granted',
  'withdrawn',
  'refused',
  'pending',
  'expired',
  'fulfilled',
  'partially_fulfilled',
  'rejected',
  'high_risk',
  'queued',
  'running',
  'erasure',
  'access',
  'portability',
  'rectification',
  'restriction',
  'objection',
  'legal_claims',
  'accuracy_contested',
  'marketing',
  'staff',
  'email',
  'sms',
  'auto_call',
  'erase',
  'anonymise',
  'undefined',
  'null',
  'NaN',
];

/**
 * Issue 15: every code a person sees is translated. Each console page, in Polish, with data on it: no code of the
 * API in the text (ids, keys and scopes shown as `<code>` are identifiers, left out), no catalogue key, no
 * unfilled placeholder.
 */
describe('console: words, not codes, on Polish pages', () => {
  let t: TestApp;
  let browser: BrowserSession;
  const pages: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ role: 'all', env: STAFF_ENV });
    browser = await launchBrowser();
    await createStaff(t, 'szef@example.com', 'admin');
    await createStaff(t, 'kasia@example.com', 'marketing');
    await createSystem(t, {
      key: 'archive',
      name: 'Archiwum',
      kind: 'manual',
      dataCategories: ['paper'],
      purposes: [],
    });
    const key = await publishedPurpose(t, 'newsletter-words', { channels: ['email', 'sms'] });
    const s = await createSubject(t, { email: 'osoba.slowa@example.com' });
    const version = (await t.request('GET', `/v1/purposes/${key}`)).body.currentVersion;
    const consent = await t.request('POST', `/v1/subjects/${s.id}/consents`, {
      purpose: key,
      channel: 'sms',
      version,
      decision: 'granted',
      locale: 'pl',
      source: { method: 'web' },
    });
    await t.request('POST', `/v1/subjects/${s.id}/holds`, { reason: 'Sprawa 1', legalBasis: 'legal_claims' });
    await t.request('POST', `/v1/subjects/${s.id}/restriction`, { reason: 'accuracy_contested' });
    const r = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, verified: true });
    await waitForStatus(t, r.body.id, ['awaiting_recipients']);
    const b = await t.request('POST', '/v1/breaches', {
      description: 'Zgubiony pendrive.',
      awareAt: new Date(Date.now() - 3_600_000).toISOString(),
      reportedBy: 'IT',
      riskAssessment: 'high_risk',
      riskReasoning: 'Dane niezaszyfrowane.',
    });
    const imp = await t.request('POST', '/v1/imports', { format: 'ndjson' });
    await t.request('POST', '/v1/retention/runs', { dryRun: true });
    const users = (await t.request('GET', '/v1/users')).body.items as { id: string; email: string }[];
    pages.push(
      '/console/requests',
      `/console/requests/${r.body.id}`,
      `/console/subjects/${s.id}`,
      `/console/subjects/${s.id}/consents/${consent.body.id}`,
      '/console/consents',
      '/console/audit?verify=1',
      '/console/register',
      '/console/retention',
      '/console/breaches',
      `/console/breaches/${b.body.id}`,
      '/console/breaches/new',
      '/console/imports',
      `/console/imports/${imp.body.id}`,
      '/console/users',
      `/console/users/${users.find((u) => u.email === 'kasia@example.com')!.id}`,
      '/console/keys',
      '/console/account',
    );
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const words = (page: Page) =>
    page.locator('main').evaluate((main) => {
      const copy = main.cloneNode(true) as typeof main;
      for (const e of Array.from(copy.querySelectorAll('code, script, input, textarea')))
        (e as { remove(): void }).remove();
      return copy.textContent ?? '';
    });

  it('shows no API code, catalogue key or placeholder on any console page in Polish', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/console/login?lang=pl`);
    await page.getByLabel('Adres e-mail').fill('szef@example.com');
    await page.getByLabel('Hasło').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Zaloguj się' }).click();
    const found: string[] = [];
    for (const path of pages) {
      expect((await page.goto(`${t.baseUrl}${path}`))?.status()).toBe(200);
      const text = await words(page);
      for (const code of CODES) if (new RegExp(`\\b${code}\\b`).test(text)) found.push(`${path}: ${code}`);
      if (/console\.[a-z]/.test(text)) found.push(`${path}: a catalogue key`);
      if (/\{[a-zA-Z]+\}/.test(text)) found.push(`${path}: a placeholder`);
    }
    expect(found).toEqual([]);
    await page.close();
  });
});
