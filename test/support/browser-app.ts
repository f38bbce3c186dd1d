import { STAFF_ENV } from '../users/staff-client';
import { BrowserSession, launchBrowser } from './browser';
import { SmtpCatcher } from './smtp-catcher';
import { startTestApp, TestApp } from './test-app';

/** What a page test needs: the service with its worker, a mail catcher it sends to, and a browser. */
export interface BrowserApp {
  t: TestApp;
  smtp: SmtpCatcher;
  browser: BrowserSession;
  /** Closes them in reverse order. */
  close(): Promise<void>;
}

/** Started together; a part that fails to start closes the parts already running, so no test run hangs on them. */
export async function startBrowserApp(): Promise<BrowserApp> {
  const smtp = await SmtpCatcher.start();
  let t: TestApp | undefined;
  try {
    t = await startTestApp({ role: 'all', env: { ...STAFF_ENV, SMTP_URL: smtp.url } });
    const app = t;
    const browser = await launchBrowser();
    return {
      t: app,
      smtp,
      browser,
      close: async () => {
        await browser.close();
        await app.close();
        await smtp.close();
      },
    };
  } catch (e) {
    await t?.close();
    await smtp.close();
    throw e;
  }
}
