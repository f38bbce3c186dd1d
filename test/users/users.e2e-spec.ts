import IORedis from 'ioredis';
import { createHash } from 'node:crypto';
import { REDIS_URL } from '../support/test-env';
import { startTestApp, TestApp } from '../support/test-app';
import { hashPassword } from '../../src/users/password/password-hasher';
import { totpCode } from '../../src/users/totp';
import { asStaff, cookiesOf, createStaff, GOOD_PASSWORD, login, STAFF_ENV } from './staff-client';

describe('staff users: accounts, password policy, roles mapped to scopes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      role: 'api',
      env: { ...STAFF_ENV, STAFF_LOCKOUT_THRESHOLD: 3, STAFF_LOCKOUT_MINUTES: 1 },
    });
  });
  afterAll(() => t.close());

  it('creates users with an admin scope only, never returns or audits the password or e-mail', async () => {
    const u = await createStaff(t, 'anna.dpo@example.com', 'dpo');
    expect(u).toMatchObject({ email: 'anna.dpo@example.com', role: 'dpo', disabled: false, totpEnabled: false });
    expect(JSON.stringify(u)).not.toContain(GOOD_PASSWORD);
    const dup = await t.request('POST', '/v1/users', {
      email: 'Anna.DPO@example.com',
      role: 'staff',
      password: GOOD_PASSWORD,
    });
    expect(dup.status).toBe(409);

    const reader = await t.request('POST', '/v1/api-keys', { name: 'r', scopes: ['requests:read'] });
    const denied = await t.request(
      'POST',
      '/v1/users',
      { email: 'x@example.com', role: 'admin', password: GOOD_PASSWORD },
      { key: reader.body.key },
    );
    expect(denied.status).toBe(403);

    const list = await t.request('GET', '/v1/users');
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(u.id);
    expect(list.text).not.toMatch(/scrypt|passwordHash/);
    const audit = await t.request('GET', `/v1/audit?targetId=${u.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['staff_user.created']);
    expect(audit.text).not.toContain('example.com');
    const stored = await t.dataSource.query('SELECT password_hash FROM staff_users WHERE id = $1', [u.id]);
    expect(stored[0].password_hash).toMatch(/^scrypt\$12\$8\$1\$/);
  });

  it.each([
    ['short', 'krótkie', ['too_short']],
    ['common with decorations', 'Password2024!', ['common']],
    ['a Polish favourite doubled', 'kochamciekochamcie', ['common']],
    ['a keyboard walk', 'qwertyuiopasdf', ['repetitive']],
    ['one character repeated', 'aaaaaaaaaaaaaaaa', ['repetitive']],
    ['containing the login', 'marek.kowal kawa i herbata', ['contains_login']],
  ])('refuses a weak password (%s) with the rules it breaks, not the password', async (_, password, problems) => {
    const res = await t.request('POST', '/v1/users', { email: 'marek.kowal@example.com', role: 'staff', password });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'weak_password', problems, minLength: 12 });
    expect(res.text).not.toContain(password);
  });

  it('accepts long passphrases with spaces and any characters (at least 64 allowed)', async () => {
    const long = 'Zażółć gęślą jaźń — 🦉 sowa pilnuje danych osobowych w nocy i w dzień!!'.padEnd(120, '.');
    const u = await createStaff(t, 'passphrase@example.com', 'marketing', long);
    await expect(login(t, 'passphrase@example.com', long)).resolves.toMatchObject({ userId: u.id });
  });

  it('the session cookie is a principal with the role’s scopes for the JSON API', async () => {
    await createStaff(t, 'ola.staff@example.com', 'staff');
    await createStaff(t, 'max.marketing@example.com', 'marketing');
    const staff = await login(t, 'ola.staff@example.com');
    const marketing = await login(t, 'max.marketing@example.com');

    const me = await asStaff(t, staff, 'GET', '/v1/users/me');
    expect(me.body).toMatchObject({ email: 'ola.staff@example.com', role: 'staff' });
    expect((await asStaff(t, staff, 'GET', '/v1/requests')).status).toBe(200);
    for (const path of ['/v1/retention/policies', '/v1/api-keys', '/v1/audit', '/v1/users'])
      expect((await asStaff(t, staff, 'GET', path)).status).toBe(403);
    expect((await asStaff(t, marketing, 'GET', '/v1/purposes')).status).toBe(200);
    expect((await asStaff(t, marketing, 'GET', '/v1/requests')).status).toBe(403);
    expect(
      (await t.request('GET', '/v1/requests', undefined, { key: null, headers: { cookie: 'zg_session=forged' } }))
        .status,
    ).toBe(401);

    // A change through a cookie needs the session's CSRF token in a header a cross-site form cannot send.
    const noHeader = await t.request('POST', '/v1/auth/logout-everywhere', undefined, {
      key: null,
      headers: { cookie: staff.cookie },
    });
    expect(noHeader.status).toBe(403);
    expect((await asStaff(t, staff, 'GET', '/v1/users/me')).status).toBe(200);
  });

  it('login failures are one generic answer for unknown users and wrong passwords, and are audited', async () => {
    const u = await createStaff(t, 'ewa@example.com', 'staff');
    const wrong = await t.request(
      'POST',
      '/v1/auth/login',
      { email: 'ewa@example.com', password: 'not the password!!' },
      { key: null },
    );
    const unknown = await t.request(
      'POST',
      '/v1/auth/login',
      { email: 'nobody@example.com', password: 'not the password!!' },
      { key: null },
    );
    const notEmail = await t.request(
      'POST',
      '/v1/auth/login',
      { email: 'not an e-mail', password: 'x' },
      { key: null },
    );
    for (const r of [wrong, unknown, notEmail]) {
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('invalid_credentials');
      expect(r.body.detail).toBe(wrong.body.detail);
      expect(r.headers.getSetCookie()).toEqual([]);
    }
    await login(t, 'ewa@example.com');
    const audit = await t.request('GET', `/v1/audit?targetType=staff_user&targetId=${u.id}`);
    const actions = audit.body.items.map((e: { action: string; data: unknown }) => [e.action, e.data]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['staff_user.login_failed', { reason: 'wrong_password' }],
        ['staff_user.login', { factors: ['password'], passwordExpired: false }],
      ]),
    );
    const anonymous = await t.request('GET', '/v1/audit?action=staff_user.login_failed');
    expect(
      anonymous.body.items.some(
        (e: any) => e.data.reason === 'unknown_login' && e.target.id === null && e.actor.type === 'anonymous',
      ),
    ).toBe(true);
    expect(anonymous.text).not.toContain('nobody');
  });

  it('locks a login after repeated failures, known or unknown alike, and audits the lock', async () => {
    const u = await createStaff(t, 'piotr@example.com', 'staff');
    const attempt = (email: string, password: string) =>
      t.request('POST', '/v1/auth/login', { email, password }, { key: null });
    for (let i = 0; i < 3; i++) expect((await attempt('piotr@example.com', 'wrong wrong wrong')).status).toBe(401);
    const locked = await attempt('piotr@example.com', GOOD_PASSWORD);
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('account_locked');
    for (let i = 0; i < 3; i++) await attempt('ghost@example.com', 'wrong wrong wrong');
    expect((await attempt('ghost@example.com', 'wrong wrong wrong')).body.code).toBe('account_locked');

    const audit = await t.request('GET', `/v1/audit?targetId=${u.id}&action=staff_user.locked`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].data).toEqual({ threshold: 3, minutes: 1 });

    // The lock is a Redis key that expires after STAFF_LOCKOUT_MINUTES; once gone, the login works again.
    const redis = new IORedis(REDIS_URL);
    try {
      const keys = await redis.keys(`${t.env.REDIS_PREFIX}:staff:lock:*`);
      expect(keys).toHaveLength(2);
      for (const k of keys) {
        const ttl = await redis.pttl(k);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      }
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    await expect(login(t, 'piotr@example.com')).resolves.toMatchObject({ userId: u.id });
  });

  it('TOTP: enrol, confirm, then login asks for a code; wrong and replayed codes fail', async () => {
    await createStaff(t, 'tomasz@example.com', 'dpo');
    const s = await login(t, 'tomasz@example.com');
    const enrol = await asStaff(t, s, 'POST', '/v1/users/me/totp');
    expect(enrol.status).toBe(200);
    expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    const secret = enrol.body.secret as string;
    const stored = await t.dataSource.query(
      `SELECT encode(totp_secret_sealed, 'escape') AS s FROM staff_users WHERE totp_secret_sealed IS NOT NULL`,
    );
    expect(stored[0].s).not.toContain(secret);
    expect((await asStaff(t, s, 'POST', '/v1/users/me/totp/confirm', { code: '000000' })).status).toBe(401);
    expect((await asStaff(t, s, 'POST', '/v1/users/me/totp/confirm', { code: totpCode(secret) })).status).toBe(204);

    const first = await t.request(
      'POST',
      '/v1/auth/login',
      { email: 'tomasz@example.com', password: GOOD_PASSWORD },
      { key: null },
    );
    expect(first.body).toEqual({ totpRequired: true });
    const mfa = cookiesOf(first).zg_mfa;
    expect(cookiesOf(first).zg_session).toBeUndefined();
    const step = (code: string, cookie = mfa) =>
      t.request('POST', '/v1/auth/totp', { code }, { key: null, headers: { cookie: `zg_mfa=${cookie}` } });
    expect((await step('123456')).body.code).toBe('invalid_credentials');
    // The next time step's code (within the accepted drift), so it was not used by the enrolment.
    const code = totpCode(secret, Date.now() + 30_000);
    const ok = await step(code);
    expect(ok.status).toBe(200);
    expect(ok.body.user.totpEnabled).toBe(true);
    expect(cookiesOf(ok).zg_session).toBeTruthy();

    const again = await t.request(
      'POST',
      '/v1/auth/login',
      { email: 'tomasz@example.com', password: GOOD_PASSWORD },
      { key: null },
    );
    expect((await step(code, cookiesOf(again).zg_mfa)).body.code).toBe('invalid_credentials');
    const audit = await t.request('GET', `/v1/audit?targetId=${ok.body.user.id}&action=staff_user.login`);
    expect(audit.body.items[0].data.factors).toEqual(['password', 'totp']);
  });

  it('sessions: secure cookie flags, logout, logout everywhere, revocation on role change and disable', async () => {
    const u = await createStaff(t, 'kasia@example.com', 'staff');
    const res = await t.request(
      'POST',
      '/v1/auth/login',
      { email: 'kasia@example.com', password: GOOD_PASSWORD },
      { key: null },
    );
    const line = res.headers.getSetCookie().find((c) => c.startsWith('zg_session='))!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Path=\//);
    expect(line).not.toMatch(/Secure/); // PUBLIC_BASE_URL is http in tests; https turns it on

    const a = await login(t, 'kasia@example.com');
    const b = await login(t, 'kasia@example.com');
    expect((await t.request('GET', `/v1/users/${u.id}`)).body.activeSessions).toBe(3);
    expect((await asStaff(t, a, 'POST', '/v1/auth/logout')).status).toBe(204);
    expect((await asStaff(t, a, 'GET', '/v1/users/me')).status).toBe(401);
    expect((await asStaff(t, b, 'GET', '/v1/users/me')).status).toBe(200);
    const everywhere = await asStaff(t, b, 'POST', '/v1/auth/logout-everywhere');
    expect(everywhere.body).toEqual({ sessionsEnded: 2 });
    expect((await asStaff(t, b, 'GET', '/v1/users/me')).status).toBe(401);

    const c = await login(t, 'kasia@example.com');
    expect((await t.request('PATCH', `/v1/users/${u.id}`, { role: 'marketing' })).body.role).toBe('marketing');
    expect((await asStaff(t, c, 'GET', '/v1/users/me')).status).toBe(401);
    const d = await login(t, 'kasia@example.com');
    expect((await asStaff(t, d, 'GET', '/v1/requests')).status).toBe(403);
    await t.request('PATCH', `/v1/users/${u.id}`, { disabled: true });
    expect((await asStaff(t, d, 'GET', '/v1/users/me')).status).toBe(401);
    const disabled = await t.request(
      'POST',
      '/v1/auth/login',
      { email: 'kasia@example.com', password: GOOD_PASSWORD },
      { key: null },
    );
    expect(disabled.body.code).toBe('invalid_credentials');

    const audit = await t.request('GET', `/v1/audit?targetId=${u.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining([
        'staff_user.logout',
        'staff_user.logout_all',
        'staff_user.role_changed',
        'staff_user.disabled',
      ]),
    );
  });

  it('sessions end after the idle timeout (Redis TTL) and the absolute timeout (creation time)', async () => {
    await createStaff(t, 'jan@example.com', 'staff');
    const s = await login(t, 'jan@example.com');
    const hash = createHash('sha256').update(s.cookie.split('=')[1]).digest('base64url');
    const key = `${t.env.REDIS_PREFIX}:staff:session:${hash}`;
    const redis = new IORedis(REDIS_URL);
    try {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30 * 60_000);
      const session = JSON.parse((await redis.get(key))!);
      expect(JSON.stringify(session)).not.toContain('jan@');
      await redis.set(key, JSON.stringify({ ...session, createdAt: Date.now() - 13 * 3_600_000 }), 'KEEPTTL');
      expect((await asStaff(t, s, 'GET', '/v1/users/me')).status).toBe(401);
      expect(await redis.exists(key)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});

describe('staff users: optional maximum password age', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { ...STAFF_ENV, STAFF_PASSWORD_MAX_AGE_DAYS: 90 } });
  });
  afterAll(() => t.close());

  it('an expired password opens only the change-password route, and old hashes are upgraded', async () => {
    const u = await createStaff(t, 'stary@example.com', 'staff');
    await t.dataSource.query(
      `UPDATE staff_users SET password_changed_at = now() - interval '91 days', password_hash = $2 WHERE id = $1`,
      [u.id, await hashPassword(GOOD_PASSWORD, { logN: 10, r: 8, p: 1 })],
    );
    const s = await login(t, 'stary@example.com');
    const me = await asStaff(t, s, 'GET', '/v1/users/me');
    expect(me.body.passwordExpired).toBe(true);
    expect((await asStaff(t, s, 'GET', '/v1/requests')).status).toBe(403);
    const upgraded = await t.dataSource.query('SELECT password_hash FROM staff_users WHERE id = $1', [u.id]);
    expect(upgraded[0].password_hash).toMatch(/^scrypt\$12\$/);

    const weak = await asStaff(t, s, 'POST', '/v1/users/me/password', {
      currentPassword: GOOD_PASSWORD,
      newPassword: 'haslo1234567',
    });
    expect(weak.body.code).toBe('weak_password');
    const next = 'zielona herbata o szóstej rano';
    const changed = await asStaff(t, s, 'POST', '/v1/users/me/password', {
      currentPassword: GOOD_PASSWORD,
      newPassword: next,
    });
    expect(changed.status).toBe(204);
    expect((await asStaff(t, s, 'GET', '/v1/requests')).status).toBe(200);
    await expect(login(t, 'stary@example.com', next)).resolves.toMatchObject({ userId: u.id });
  });
});
