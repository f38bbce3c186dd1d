import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, ModulesContainer } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { FORM, formPayloads, payloads } from '../support/hostile-input';
import { startTestApp, TestApp } from '../support/test-app';
import { createStaff, login, STAFF_ENV } from '../users/staff-client';

const documented = new Set(
  Object.keys((JSON.parse(readFileSync(join(__dirname, '../../openapi.json'), 'utf8')) as { paths: object }).paths),
);

// Every field name the console's and the portal's forms read (the handlers' `Form` bodies).
const FIELDS = [
  'channel', 'code', 'currentPassword', 'decision', 'details', 'email', 'expressedBy', 'firstName', 'guardianName',
  'guardianRelation', 'lastName', 'locale', 'location', 'method', 'months', 'name', 'newPassword', 'next', 'note',
  'objMarketing', 'password', 'phone', 'purpose', 'reason', 'scopes', 'status', 'toldAt', 'toldBy', 'token', 'type',
]; // prettier-ignore

/** The POST routes of the HTML pages: every controller route that openapi.json does not describe. */
function htmlFormRoutes(t: TestApp): string[] {
  const discovery = new DiscoveryService(t.get(ModulesContainer));
  const routes = new Set<string>();
  for (const { metatype } of discovery.getControllers()) {
    if (!metatype) continue;
    const prefixes = [Reflect.getMetadata(PATH_METADATA, metatype) as string | string[]].flat();
    for (const name of Object.getOwnPropertyNames(metatype.prototype)) {
      const handler = (metatype.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.POST)
        continue;
      for (const prefix of prefixes)
        for (const path of [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat()) {
          const full = `/${[prefix, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
          if (!documented.has(full.replace(/:(\w+)/g, '{$1}'))) routes.add(full);
        }
    }
  }
  // Routes that end the session last, so the others run signed in.
  return [...routes].sort((a, b) => Number(/logout|password/.test(a)) - Number(/logout|password/.test(b)));
}

/**
 * Issue 25, the fault suite: the HTML forms of the console and the portal (outside the API contract, so not in the
 * write-route fuzz) with hostile bodies, signed in and with a valid CSRF token so that the bodies reach the handlers:
 * nested keys, NUL, invalid UTF-8, unpaired surrogates, 1 MB values, 20,000 fields, deep brackets, JSON where a form is
 * expected. Not one 5xx, and the process stays up.
 */
describe('platform: hostile bodies on every HTML form', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { ...STAFF_ENV } });
  });

  afterAll(() => t.close());

  /** A page's form token and the CSRF cookie it belongs to (bound to the session when there is one). */
  async function formToken(path: string, cookie = ''): Promise<{ csrf: string; cookie: string }> {
    const res = await fetch(`${t.baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
    const html = await res.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const set = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .find((c) => c.startsWith('zg_csrf='));
    if (!csrf || !set) throw new Error(`no form token on ${path}: ${res.status}`);
    return { csrf, cookie: [cookie, set].filter(Boolean).join('; ') };
  }

  it('answers none of them with a 5xx', async () => {
    await createStaff(t, 'fuzz.admin@example.com', 'admin');
    const session = (await login(t, 'fuzz.admin@example.com')).cookie;
    const staff = await formToken('/console/keys', session);
    const visitor = await formToken('/portal');
    const routes = htmlFormRoutes(t);
    // The console's and the portal's forms, at least: found, not listed by hand.
    expect(routes).toEqual(
      expect.arrayContaining(['/console/keys', '/console/requests/:id/reject', '/portal/requests']),
    );

    const failures: string[] = [];
    const dispatcher = new Agent();
    let sent = 0;
    // Form cases past the CSRF check (anything but 403): the bodies reached the handlers' own validation.
    let pastCsrf = 0;
    for (const route of routes) {
      const path = route.replace(/:(\w+)/g, () => randomUUID());
      const auth = route.startsWith('/console') ? staff : visitor;
      const cases: [string, string, string][] = [
        ...formPayloads(FIELDS).map(([name, body]): [string, string, string] => [
          name,
          `_csrf=${encodeURIComponent(auth.csrf)}&${body}`,
          FORM,
        ]),
        ...payloads(FIELDS).map(([name, body]): [string, string, string] => [
          `JSON: ${name}`,
          body,
          'application/json',
        ]),
      ];
      for (const [name, body, contentType] of cases) {
        const what = `POST ${route}, ${name}`;
        sent += 1;
        try {
          const res = await request(`${t.baseUrl}${path}`, {
            dispatcher,
            method: 'POST',
            headers: { cookie: auth.cookie, 'content-type': contentType },
            body,
            reset: true,
          });
          await res.body.dump();
          if (res.statusCode >= 500) failures.push(`${what}: ${res.statusCode}`);
          if (contentType === FORM && res.statusCode !== 403) pastCsrf += 1;
        } catch (e) {
          // As in the write-route fuzz: a body over the limit is answered 413 while the client still sends.
          const reset = (e as { cause?: { code?: string } }).cause?.code === 'ECONNRESET';
          if (!(reset && /6 MB/.test(name))) failures.push(`${what}: ${(e as Error).message}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(300);
    if (process.env.FUZZ_REPORT)
      process.stdout.write(`fuzz-forms: ${routes.length} routes, ${sent} bodies, ${pastCsrf} form bodies past CSRF\n`);
    expect(pastCsrf).toBeGreaterThan(routes.length * 3);
    expect(failures).toEqual([]);
    expect((await fetch(`${t.baseUrl}/health/live`)).status).toBe(200);
  }, 600_000);
});
