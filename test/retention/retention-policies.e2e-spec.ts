import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLISH_DEFAULT_POLICIES } from '../../src/retention/retention-defaults';
import { startTestApp, TestApp } from '../support/test-app';

const contact = (key: string, over: Record<string, unknown> = {}) => ({
  key,
  dataCategory: 'contact_data',
  trigger: 'last_activity',
  period: 'P2Y',
  action: 'anonymise',
  legalBasis: 'art. 6 ust. 1 lit. f RODO; 2 lata od ostatniego kontaktu',
  owner: 'customer service',
  ...over,
});

describe('retention: policies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t.close());

  it('creates a policy, describes it in both languages, and refuses the same key twice', async () => {
    const res = await t.request('POST', '/v1/retention/policies', contact('contact-a'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      key: 'contact-a',
      dataCategory: 'contact_data',
      purpose: null,
      system: null,
      trigger: 'last_activity',
      period: 'P2Y',
      roundToYearEnd: false,
      action: 'anonymise',
      active: true,
      version: 1,
      description: { pl: '2 lata od ostatniej aktywności', en: '2 years from the last activity' },
    });
    const again = await t.request('POST', '/v1/retention/policies', contact('contact-a', { period: 'P3Y' }));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('policy_exists');
    expect((await t.request('GET', '/v1/retention/policies/contact-a')).body.period).toBe('P2Y');
  });

  it.each([
    ['a period that is not ISO 8601', { period: '2 years' }, 'period'],
    ['a zero period', { period: 'P0D' }, 'period'],
    ['a period past 100 years', { period: 'P101Y' }, 'period'],
    ['both a category and a purpose', { purpose: 'newsletter' }, 'dataCategory'],
    ['neither a category nor a purpose', { dataCategory: null }, 'dataCategory'],
    ['erasing data Zgoda does not hold', { system: 'zgoda-test-shop' }, 'action'],
    ['an unknown system', { system: 'no-such-system', action: 'review' }, 'system'],
    ['an unknown trigger', { trigger: 'whenever' }, 'trigger'],
    ['an unknown action', { action: 'shred' }, 'action'],
    ['an unknown field', { retainForever: true }, 'retainForever'],
  ])('refuses %s with 422 naming the field', async (_name, change, field) => {
    if (field === 'action' && 'system' in change) {
      await t.request('POST', '/v1/systems', {
        key: 'zgoda-test-shop',
        name: 'Shop',
        kind: 'manual',
        dataCategories: ['contact_data'],
      });
    }
    const res = await t.request('POST', '/v1/retention/policies', contact('bad-one', change));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses a purpose that does not exist with 422 unknown_purpose', async () => {
    const res = await t.request(
      'POST',
      '/v1/retention/policies',
      contact('for-a-purpose', { dataCategory: undefined, purpose: 'no-such-purpose' }),
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('unknown_purpose');
  });

  it('versions every change, audits it, and leaves the key alone', async () => {
    await t.request('POST', '/v1/retention/policies', contact('contact-v'));
    const patched = await t.request('PATCH', '/v1/retention/policies/contact-v', {
      period: 'P3Y',
      roundToYearEnd: true,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, period: 'P3Y', roundToYearEnd: true });
    expect(patched.body.description.pl).toBe('3 lata od ostatniej aktywności, do końca roku kalendarzowego');

    // A PATCH that changes nothing is not a version.
    expect((await t.request('PATCH', '/v1/retention/policies/contact-v', { period: 'P3Y' })).body.version).toBe(2);
    expect((await t.request('PATCH', '/v1/retention/policies/contact-v', { key: 'renamed' })).status).toBe(422);
    expect((await t.request('PATCH', '/v1/retention/policies/contact-v', { period: 'PT0S' })).status).toBe(422);
    expect((await t.request('PATCH', '/v1/retention/policies/nope', { period: 'P1Y' })).body.code).toBe(
      'unknown_policy',
    );

    const versions = await t.request('GET', '/v1/retention/policies/contact-v/versions');
    expect(versions.status).toBe(200);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions.body.items[0]).toMatchObject({
      changedFields: ['period', 'roundToYearEnd'],
      changedBy: expect.stringMatching(/^api_key:/),
      policy: { key: 'contact-v', period: 'P3Y', roundToYearEnd: true },
    });
    expect(versions.body.items[1].policy).toMatchObject({ period: 'P2Y', roundToYearEnd: false });

    const audit = await t.request('GET', '/v1/audit?targetType=retention_policy&limit=50');
    const mine = audit.body.items.filter((a: { data: { key?: string } }) => a.data?.key === 'contact-v');
    expect(mine.map((a: { action: string }) => a.action)).toEqual([
      'retention.policy_updated',
      'retention.policy_created',
    ]);
    expect(mine[0].data).toEqual({ key: 'contact-v', version: 2, fields: ['period', 'roundToYearEnd'] });

    // The database keeps the history as it was written.
    await expect(
      t.dataSource.query(`UPDATE retention_policy_versions SET changed_by = 'someone' WHERE version = 1`),
    ).rejects.toThrow();
  });

  it('lists policies by key, filters active ones, and pages', async () => {
    await t.request('POST', '/v1/retention/policies', contact('zz-off', { active: false }));
    const all = await t.request('GET', '/v1/retention/policies?limit=2');
    expect(all.body.items).toHaveLength(2);
    expect(all.body.nextCursor).toEqual(expect.any(String));
    const next = await t.request('GET', `/v1/retention/policies?limit=2&cursor=${all.body.nextCursor}`);
    expect(next.body.items[0].key > all.body.items[1].key).toBe(true);
    const active = await t.request('GET', '/v1/retention/policies?active=true&limit=500');
    expect(active.body.items.map((p: { key: string }) => p.key)).not.toContain('zz-off');
    const inactive = await t.request('GET', '/v1/retention/policies?active=false&limit=500');
    expect(inactive.body.items.map((p: { key: string }) => p.key)).toEqual(['zz-off']);
  });

  it('needs retention:manage', async () => {
    const key = (await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['audit:read'] })).body.key;
    expect((await t.request('GET', '/v1/retention/policies', undefined, { key })).status).toBe(403);
    expect((await t.request('POST', '/v1/retention/policies', contact('x'), { key })).status).toBe(403);
    expect((await t.request('GET', '/v1/retention/policies', undefined, { key: null })).status).toBe(401);
    const manager = (await t.request('POST', '/v1/api-keys', { name: 'dpo', scopes: ['retention:manage'] })).body.key;
    expect((await t.request('GET', '/v1/retention/policies', undefined, { key: manager })).status).toBe(200);
  });
});

describe('retention: Polish defaults (npm run seed:retention)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t.close());

  function seed(): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: t.env.DATABASE_URL,
      REDIS_URL: t.env.REDIS_URL,
      REDIS_PREFIX: t.env.REDIS_PREFIX,
      ENCRYPTION_KEY: t.env.ENCRYPTION_KEY,
      ADMIN_API_KEY: t.adminKey,
      LOG_LEVEL: 'silent',
    };
    // The built command, as `npm run seed:retention` runs it (`npm test` builds first; ZGODA_DIST names
    // another build). Not from the repository folder: its .env.local must not leak into the settings.
    const dist = process.env.ZGODA_DIST ?? join(__dirname, '../../dist');
    const child = spawn(process.execPath, [join(dist, 'src/cli/seed-retention.js')], { env, cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  }

  it('creates each default once, citing its basis, and keeps an adapted one as it is', async () => {
    const first = await seed();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`seeded: ${POLISH_DEFAULT_POLICIES.map((p) => p.key).join(', ')}\n`);

    const policies = (await t.request('GET', '/v1/retention/policies?limit=500')).body.items as {
      key: string;
      [k: string]: unknown;
    }[];
    const byKey = new Map(policies.map((p) => [p.key, p]));
    expect(byKey.get('accounting-records')).toMatchObject({
      trigger: 'end_of_year_after_last_entry',
      period: 'P5Y',
      action: 'review',
      legalBasis: expect.stringContaining('art. 74 ust. 2 pkt 1'),
    });
    expect(byKey.get('complaints')).toMatchObject({ period: 'P1Y', legalBasis: expect.stringContaining('art. 74') });
    expect(byKey.get('tax-records')).toMatchObject({ period: 'P5Y', legalBasis: expect.stringContaining('art. 70') });
    expect(byKey.get('eye-exam-records')).toMatchObject({
      dataCategory: 'eye_exam_records',
      trigger: 'end_of_year_after_last_entry',
      period: 'P20Y',
      legalBasis: expect.stringContaining('art. 29'),
      description: { pl: '20 lat od końca roku, w którym dokonano ostatniego wpisu', en: expect.any(String) },
    });
    expect(byKey.get('customer-contact')).toMatchObject({ trigger: 'last_activity', period: 'P2Y' });
    expect(byKey.get('marketing-consent-proof')).toMatchObject({
      trigger: 'consent_withdrawn',
      period: 'P3Y',
      roundToYearEnd: true,
      action: 'erase',
      legalBasis: expect.stringContaining('art. 118'),
    });
    for (const p of policies) expect(p.legalBasis).toEqual(expect.stringMatching(/art\. \d+/));

    await t.request('PATCH', '/v1/retention/policies/customer-contact', { period: 'P3Y' });
    const second = await seed();
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('already seeded\n');
    expect((await t.request('GET', '/v1/retention/policies/customer-contact')).body).toMatchObject({
      period: 'P3Y',
      version: 2,
    });
  });
});
