import { HttpResult, TestApp } from '../support/test-app';

export const STAFF_ENV = {
  // Fast hashes in tests; the format and the rehash path are the same as with the production cost.
  STAFF_SCRYPT_LOG_N: 12,
  PUBLIC_RATE_LIMIT_PER_MINUTE: 10_000,
};

export const GOOD_PASSWORD = 'kolorowe okulary na wiosnę 7';

export interface StaffAuth {
  cookie: string;
  csrf: string;
  userId: string;
}

/** The `name=value` pairs a response sets, as a Cookie header. */
export function cookiesOf(res: HttpResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [k, ...v] = pair.split('=');
    out[k.trim()] = v.join('=');
  }
  return out;
}

export async function createStaff(t: TestApp, email: string, role: string, password = GOOD_PASSWORD) {
  const res = await t.request('POST', '/v1/users', { email, role, password });
  if (res.status !== 201) throw new Error(`create user: ${res.status} ${res.text}`);
  return res.body as { id: string; email: string; role: string };
}

export async function login(t: TestApp, email: string, password = GOOD_PASSWORD): Promise<StaffAuth> {
  const res = await t.request('POST', '/v1/auth/login', { email, password }, { key: null });
  if (res.status !== 200 || res.body.totpRequired) throw new Error(`login: ${res.status} ${res.text}`);
  return { cookie: `zg_session=${cookiesOf(res).zg_session}`, csrf: res.body.csrfToken, userId: res.body.user.id };
}

/** A call with the session cookie instead of an API key (and the CSRF header on changes). */
export function asStaff(t: TestApp, auth: StaffAuth, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { cookie: auth.cookie };
  if (method !== 'GET') headers['x-csrf-token'] = auth.csrf;
  return t.request(method, path, body, { key: null, headers });
}
