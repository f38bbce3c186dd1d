import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { totpCode } from '../../src/users/totp';
import { createSubject, createSystem, unzip, waitForStatus } from '../requests/support';
import { BrowserApp, startBrowserApp } from '../support/browser-app';
import { BrowserSession, checkA11y, screenshot } from '../support/browser';
import { pdfText } from '../support/pdf-text';
import { consoleFind } from './console-support';

import { eventually, TestApp } from '../support/test-app';
import { asStaff, createStaff, GOOD_PASSWORD, login } from '../users/staff-client';

const local = (ms: number) => DateTime.fromMillis(ms).setZone('Europe/Warsaw').toFormat("yyyy-LL-dd'T'HH:mm");

// What the DPO reads and clicks, in each language of the console.
const WORDS = {
  pl: {
    email: 'Adres e-mail',
    password: 'Hasło',
    signIn: 'Zaloguj się',
    code: 'Kod',
    confirm: 'Potwierdź',
    access: 'dostęp do danych (art. 15)',
    identityChecked: /Tożsamość osoby sprawdzona/,
    file: 'Złóż żądanie',
    filed: 'Żądanie przyjęte',
    accessTitle: 'Żądanie: dostęp do danych (art. 15)',
    done: 'wykonane',
    save: 'Zapisz',
    recorded: 'Wynik zadania zapisany.',
    fulfilled: 'zakończone: zrealizowane',
    package: 'Pobierz pakiet danych',
    certificate: 'Zaświadczenie o usunięciu (do czytania)',
    certificateTitle: 'Zaświadczenie o usunięciu danych',
    certificatePdf: 'Pobierz zaświadczenie (PDF)',
    breaches: 'Naruszenia',
    newBreach: 'Zgłoś nowe naruszenie',
    what: 'Co się stało',
    awareAt: /Kiedy wykryto/,
    reportedBy: /Kto zgłosił/,
    categories: /Kategorie danych/,
    risk: 'Ocena ryzyka',
    reasoning: /Uzasadnienie oceny/,
    create: 'Zarejestruj naruszenie',
    created: 'Naruszenie zarejestrowane',
    left: /zostało (69|70) godz\./,
    preview: 'Pokaż, ile osób obejmie wybór',
    covers: (n: number) => `Wybór obejmie ${n} ${n === 1 ? 'osobę' : 'osoby'} (systemy: crm;`,
    select: (n: number) => `Zapisz wybór ${n} ${n === 1 ? 'osoby' : 'osób'}`,
    selected: 'Wybór osób zapisany.',
    sentAt: 'Kiedy wysłano (czas polski)',
    reference: 'Numer sprawy w UODO',
    notify: 'Zapisz wysłane zgłoszenie',
    notified: 'Zgłoszenie do UODO zapisane.',
  },
  en: {
    email: 'E-mail address',
    password: 'Password',
    signIn: 'Sign in',
    code: 'Code',
    confirm: 'Confirm',
    access: 'access (Art. 15)',
    identityChecked: /The person’s identity was checked/,
    file: 'File the request',
    filed: 'Request taken',
    accessTitle: 'Request: access (Art. 15)',
    done: 'done',
    save: 'Save',
    recorded: 'Task outcome recorded.',
    fulfilled: 'completed: fulfilled',
    package: 'Download the data package',
    certificate: 'Erasure certificate (readable)',
    certificateTitle: 'Erasure certificate',
    certificatePdf: 'Download the certificate (PDF)',
    breaches: 'Breaches',
    newBreach: 'Record a new breach',
    what: 'What happened',
    awareAt: /When it was discovered/,
    reportedBy: /Reported by/,
    categories: /Data categories/,
    risk: 'Risk assessment',
    reasoning: /Reasons for the assessment/,
    create: 'Record the breach',
    created: 'Breach recorded',
    left: /(69|70) h left/,
    preview: 'Show how many the selection covers',
    covers: (n: number) => `The selection covers ${n} ${n === 1 ? 'person' : 'people'} (systems: crm;`,
    select: (n: number) => `Record the selection of ${n} ${n === 1 ? 'person' : 'people'}`,
    selected: 'Selection of people recorded.',
    sentAt: 'When it was sent (Polish time)',
    reference: 'UODO case number',
    notify: 'Record the notification sent',
    notified: 'Notification to UODO recorded.',
  },
};

/**
 * Issue 15's walkthrough: a DPO's day in the console alone, in one browser session, without the API. Signed in
 * with a second factor, the DPO finds a caller by e-mail, files an access request for her, completes it and
 * downloads her package; finds another person's erasure by its number and reads and downloads its certificate;
 * records a breach, previews and confirms the people affected, and records the notification to UODO.
 */
describe('console: a DPO’s day, end to end', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let app: BrowserApp | undefined;
  let secret: string;
  let dpoId: string;
  let erasureId: string;
  // The people the CRM holds, as each day adds its caller: a breach of the CRM concerns all of them.
  const inCrm: string[] = [];
  // A TOTP time step counts once: each sign-in takes a code of a step not used yet.
  const usedSteps = new Set<number>();
  const freshCode = () => {
    for (const offset of [0, 30_000, -30_000]) {
      const at = Date.now() + offset;
      const step = Math.floor(at / 30_000);
      if (usedSteps.has(step)) continue;
      usedSteps.add(step);
      return totpCode(secret, at);
    }
    throw new Error('no fresh TOTP step');
  };

  beforeAll(async () => {
    app = await startBrowserApp();
    ({ t, browser } = app);
    dpoId = (await createStaff(t, 'iod@example.com', 'dpo')).id;
    // The DPO's second factor, enrolled before the day starts (the enrolment page has its own test).
    const session = await login(t, 'iod@example.com');
    secret = (await asStaff(t, session, 'POST', '/v1/users/me/totp')).body.secret;
    const enrolled = await asStaff(t, session, 'POST', '/v1/users/me/totp/confirm', { code: freshCode() });
    expect(enrolled.status).toBe(204);
    // A data system without a webhook: its tasks are done by hand, in the console.
    await createSystem(t, { key: 'crm', name: 'CRM salonów', kind: 'manual', dataCategories: ['phone'], purposes: [] });
    // Another person, erased last week: the certificate is asked for later by its request number.
    const jan = await createSubject(t, { firstName: 'Jan', lastName: 'Usunięty' });
    erasureId = (await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: jan.id, verified: true })).body
      .id;
    const waiting = await waitForStatus(t, erasureId, ['awaiting_recipients']);
    const task = waiting.tasks.find((x: { system: string }) => x.system === 'crm');
    const done = await t.request('POST', `/v1/requests/${erasureId}/tasks/${task.id}/complete`, { status: 'done' });
    expect(done.status).toBe(200);
    await waitForStatus(t, erasureId, ['completed']);
  });

  afterAll(() => app?.close());

  const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

  it.each(['pl', 'en'] as const)(
    'in %s: signs in with TOTP, serves a caller, reads an erasure certificate and handles a breach',
    async (lang) => {
      const w = WORDS[lang];
      const caller = await createSubject(t, {
        email: `klientka.${lang}@example.com`,
        firstName: 'Ewa',
        lastName: `Klientka-${lang}`,
        externalId: `K-${lang}`,
        externalSystem: 'crm',
      });
      inCrm.push(caller.id);
      const find = (page: Page, q: string) => consoleFind(page, t.baseUrl, q, lang);
      await browser.resetCookies();
      const page = await browser.newPage();

      // 1. Password, then the code from the authenticator app.
      await page.goto(`${t.baseUrl}/console/login?lang=${lang}`);
      await page.getByLabel(w.email).fill('iod@example.com');
      await page.getByLabel(w.password).fill(GOOD_PASSWORD);
      await page.getByRole('button', { name: w.signIn }).click();
      expect(new URL(page.url()).pathname).toBe('/console/login/totp');
      await checkA11y(page);
      await page.getByLabel(w.code).fill(freshCode());
      await page.getByRole('button', { name: w.confirm }).click();
      expect(new URL(page.url()).pathname).toBe('/console/requests');

      // 2. The caller gives her e-mail address: typed as heard, found exactly, and nothing personal in the URL.
      await find(page, ` ${caller.email.toUpperCase()} `);
      expect(new URL(page.url()).pathname).toBe(`/console/subjects/${caller.id}`);
      expect(page.url()).not.toContain('klientka');
      await expect(text(page, 'main')).resolves.toContain(`Ewa Klientka-${lang}`);
      await checkA11y(page);
      await screenshot(page, `walkthrough-person-${lang}`);

      // 3. She asks for her data: the DPO files an access request for her, identity checked on the phone.
      const form = page.locator(`form[action="/console/subjects/${caller.id}/requests"]`);
      await form.getByLabel(w.access).check();
      await form.getByLabel(w.identityChecked).check();
      await form.getByRole('button', { name: w.file }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toContain(w.filed);
      const accessId = new URL(page.url()).pathname.split('/').pop()!;
      await expect(text(page, 'h1')).resolves.toBe(w.accessTitle);

      // 4. The CRM has no webhook: its task is done by hand, and the request completes.
      await eventually(async () => {
        await page.reload();
        return (await page.locator('input[name=status][value=done]').count()) === 1;
      }, 20_000);
      await page.getByLabel(w.done, { exact: true }).check();
      await page.getByRole('button', { name: w.save, exact: true }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toContain(w.recorded);
      await eventually(async () => {
        await page.reload();
        return (await text(page, 'dl.facts'))!.includes(w.fulfilled);
      }, 20_000);
      await checkA11y(page);
      await screenshot(page, `walkthrough-request-done-${lang}`);

      // 5. Her package, downloaded from the request's page: it holds her data.
      const href = (await page.getByRole('link', { name: w.package }).getAttribute('href'))!;
      const zip = await page.request.get(`${t.baseUrl}${href}`);
      expect(zip.status()).toBe(200);
      expect(zip.headers()['content-type']).toBe('application/zip');
      const files = [...(await unzip(await zip.body())).values()].join('\n');
      expect(files).toContain(caller.email);

      // 6. Another person's erasure, found by its request number; its certificate read and downloaded.
      await find(page, erasureId.toUpperCase());
      expect(new URL(page.url()).pathname).toBe(`/console/requests/${erasureId}`);
      await page.getByRole('link', { name: w.certificate }).click();
      await page.waitForURL(/\/certificate$/);
      await expect(text(page, 'h1')).resolves.toBe(w.certificateTitle);
      await expect(text(page, 'main')).resolves.toContain(erasureId);
      await checkA11y(page);
      const pdfHref = (await page.getByRole('link', { name: w.certificatePdf }).getAttribute('href'))!;
      const pdf = await page.request.get(`${t.baseUrl}${pdfHref}`);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      await expect(pdfText(new Uint8Array(await pdf.body()))).resolves.toContain(w.certificateTitle);

      // 7. A breach: recorded, the 72-hour clock running.
      await page.getByRole('link', { name: w.breaches }).click();
      await page.getByRole('link', { name: w.newBreach }).click();
      await page.getByLabel(w.what).fill('Eksport kontaktów z CRM wysłany na zły adres e-mail.');
      await page.getByLabel(w.awareAt).fill(local(Date.now() - 2 * 3_600_000));
      await page.getByLabel(w.reportedBy).fill('Dział sprzedaży');
      await page.getByLabel('CRM salonów crm').check();
      await page.getByLabel(w.categories).fill('phone');
      await page.getByLabel(w.risk).selectOption('risk');
      await page.getByLabel(w.reasoning).fill('Numery telefonów bez innych danych: ryzyko, nie wysokie.');
      await page.getByRole('button', { name: w.create }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toContain(w.created);
      const breachId = new URL(page.url()).pathname.split('/').pop()!;
      await expect(text(page, '#breach-clock')).resolves.toMatch(w.left);

      // 8. The people affected: a preview that records nothing, then the confirmation of exactly that selection.
      const n = inCrm.length;
      await page.getByRole('button', { name: w.preview }).click();
      await expect(text(page, '#affected-preview')).resolves.toContain(w.covers(n));
      expect((await t.request('GET', `/v1/breaches/${breachId}/affected-subjects`)).body.total).toBe(0);
      await page.getByRole('button', { name: w.select(n) }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toContain(w.selected);
      expect((await t.request('GET', `/v1/breaches/${breachId}/affected-subjects`)).body.total).toBe(n);
      // The people selected are the ones the CRM holds (the API gives counts only; the table says who).
      const selected = await t.dataSource.query(
        'SELECT subject_id FROM breach_affected_subjects WHERE breach_id = $1 ORDER BY subject_id',
        [breachId],
      );
      expect(selected.map((r: { subject_id: string }) => r.subject_id)).toEqual([...inCrm].sort());

      // 9. The notification sent to UODO, with its case number.
      await page.getByLabel(w.sentAt).fill(local(Date.now() - 60_000));
      await page.getByLabel(w.reference).fill(`DKN.5130.12.2026-${lang}`);
      await page.getByRole('button', { name: w.notify }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toContain(w.notified);
      await expect(text(page, '#breach-notifications')).resolves.toContain(`DKN.5130.12.2026-${lang}`);
      await checkA11y(page);
      await screenshot(page, `walkthrough-breach-notified-${lang}`);
      expect((await t.request('GET', `/v1/breaches/${breachId}`)).body.status).toBe('notified');

      // Every change of the day is on record with the DPO as the one who acted.
      for (const [action, target] of [
        ['request.received', accessId],
        ['breach.created', breachId],
      ]) {
        const entries = (await t.request('GET', `/v1/audit?action=${action}&targetId=${target}`)).body.items;
        expect(entries[0]?.actor).toEqual({ type: 'staff', id: dpoId });
      }
      await page.close();
    },
  );
});
