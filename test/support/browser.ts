import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

export interface BrowserSession {
  context: BrowserContext;
  /** A new tab; cookies are shared by the session (call `resetCookies()` for a new visitor). */
  newPage(): Promise<Page>;
  resetCookies(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless, in a fresh profile: no sandbox (containers), no GPU, and nothing that phones
 * home (background networking, component updates, sync), so a test depends on the app alone. One per test
 * file; reuse it across the file's tests.
 */
export async function launchBrowser(opts: { locale?: string } = {}): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'zgoda-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    locale: opts.locale ?? 'pl-PL',
    viewport: { width: 390, height: 844 },
    // The pages forbid every script by CSP; axe-core is injected by the test, not by the page.
    bypassCSP: true,
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    newPage: () => context.newPage(),
    resetCookies: () => context.clearCookies(),
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Full-page PNG in test-artifacts/<file>.png (git-ignored; CI keeps the folder). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  // Staff work at a desk: console pages are shot at a laptop's width (the README's tour); customer pages at the
  // phone width the tests browse with.
  const phone = page.viewportSize();
  const desk = new URL(page.url()).pathname.startsWith('/console') && phone;
  if (desk) await page.setViewportSize({ width: 1280, height: 800 });
  try {
    await page.screenshot({ path, fullPage: true });
  } finally {
    if (desk) await page.setViewportSize(phone);
  }
  return path;
}

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core (WCAG 2.0-2.2 A/AA rules and best practices) on the page and throws, listing them, when any
 * violation is serious or critical. Returns every violation for a caller that wants to look at minor ones.
 */
export async function checkA11y(page: Page, label = page.url()): Promise<A11yViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<any> }; document: unknown };
    const r = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: any) => ({ target: n.target })),
    }));
  });
  const bad = (violations as A11yViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const lines = bad.map(
      (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
    throw new Error(`accessibility violations on ${label.replace(/token=[^&]+/g, 'token=…')}:\n${lines.join('\n')}`);
  }
  return violations as A11yViolation[];
}
