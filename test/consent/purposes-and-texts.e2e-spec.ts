import { createHash } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { purposeBody, uniqueKey } from './consent-fixtures';

describe('consent: purposes and versioned texts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { CONTROLLER_NAME: 'Optyk Test S.A.' } });
  });
  afterAll(() => t.close());

  it('creates, lists, reads and patches a purpose; the key is unique and immutable; every change is audited', async () => {
    const key = uniqueKey('news');
    const created = await t.request('POST', '/v1/purposes', purposeBody(key, { validityDays: 365 }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      key,
      legalBasis: 'consent',
      channels: ['email', 'sms'],
      minimumAge: 16,
      validityDays: 365,
      doubleOptIn: false,
      marketing: true,
      saleOrSharing: false,
      currentVersion: null,
    });

    const dup = await t.request('POST', '/v1/purposes', purposeBody(key));
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('purpose_exists');

    const got = await t.request('GET', `/v1/purposes/${key}`);
    expect(got.body.key).toBe(key);
    const list = await t.request('GET', '/v1/purposes?limit=500');
    expect(list.body.items.map((p: { key: string }) => p.key)).toContain(key);

    const patched = await t.request('PATCH', `/v1/purposes/${key}`, { name: 'Renamed', recipients: [] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ key, name: 'Renamed', recipients: [] });
    const rekey = await t.request('PATCH', `/v1/purposes/${key}`, { key: 'other' });
    expect(rekey.status).toBe(422);
    expect(rekey.body.code).toBe('validation_failed');
    const nulled = await t.request('PATCH', `/v1/purposes/${key}`, { name: null });
    expect(nulled.status).toBe(422);

    const audit = await t.request('GET', `/v1/audit?targetId=${key}`);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['purpose.created', 'purpose.updated']));
    const update = audit.body.items.find((e: { action: string }) => e.action === 'purpose.updated');
    expect(update.data).toEqual({ fields: ['name', 'recipients'] });
  });

  it.each([
    ['bad key', { key: 'Not A Slug' }],
    ['unknown legal basis', { legalBasis: 'because' }],
    ['unknown channel', { channels: ['pigeon'] }],
    ['unknown Art. 9 basis', { specialCategoryBasis: 'health' }],
  ])('refuses a purpose with %s (422)', async (_n, over) => {
    const res = await t.request('POST', '/v1/purposes', purposeBody(uniqueKey('bad'), over));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
  });

  it('needs admin to create purposes and consent:write for texts; consent:read reads', async () => {
    const reader = (await t.request('POST', '/v1/api-keys', { name: 'r', scopes: ['consent:read'] })).body.key;
    const writer = (await t.request('POST', '/v1/api-keys', { name: 'w', scopes: ['consent:write'] })).body.key;
    const key = uniqueKey('scoped');
    expect((await t.request('POST', '/v1/purposes', purposeBody(key), { key: writer })).status).toBe(403);
    expect((await t.request('POST', '/v1/purposes', purposeBody(key))).status).toBe(201);
    const text = { locale: 'pl', title: 't', body: 'b' };
    expect((await t.request('POST', `/v1/purposes/${key}/texts`, text, { key: reader })).status).toBe(403);
    expect((await t.request('POST', `/v1/purposes/${key}/texts`, text, { key: writer })).status).toBe(201);
    expect((await t.request('GET', `/v1/purposes/${key}`, undefined, { key: reader })).status).toBe(200);
    expect((await t.request('PATCH', `/v1/purposes/${key}`, { name: 'x' }, { key: writer })).status).toBe(403);
  });

  it('drafts, renders and freezes a version with a SHA-256 per locale', async () => {
    const key = uniqueKey('texts');
    await t.request('POST', '/v1/purposes', purposeBody(key, { name: 'Newsletter & offers' }));
    const pl = await t.request('POST', `/v1/purposes/${key}/texts`, {
      locale: 'pl',
      title: 'Newsletter',
      body: '{{controller.name}}: {{purpose.name}} ({{#each purpose.recipients}}{{this}}{{/each}}), {{purpose.retention}}.',
    });
    expect(pl.status).toBe(201);
    expect(pl.body).toEqual({ version: 1, locale: 'pl', status: 'draft' });
    const en = await t.request('POST', `/v1/purposes/${key}/texts`, {
      version: 1,
      locale: 'en',
      title: 'Newsletter',
      body: '{{controllerName}}: {{purpose.name}}',
    });
    expect(en.body).toEqual({ version: 1, locale: 'en', status: 'draft' });
    const noCurrent = await t.request('GET', `/v1/purposes/${key}/texts/current?locale=pl`);
    expect(noCurrent.status).toBe(404);
    expect(noCurrent.body.code).toBe('text_not_found');

    const pub = await t.request('POST', `/v1/purposes/${key}/texts/1/publish`, {});
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ version: 1, status: 'published' });
    expect(new Date(pub.body.publishedAt).toISOString()).toBe(pub.body.publishedAt);
    const plText = pub.body.texts.find((x: { locale: string }) => x.locale === 'pl');
    expect(plText.rendered).toBe('Optyk Test S.A.: Newsletter &amp; offers (Mailer sp. z o.o.), until withdrawal.');
    expect(plText.sha256).toBe(createHash('sha256').update(plText.rendered, 'utf8').digest('hex'));

    const current = await t.request('GET', `/v1/purposes/${key}/texts/current?locale=en`);
    expect(current.body).toMatchObject({
      version: 1,
      locale: 'en',
      status: 'published',
      rendered: 'Optyk Test S.A.: Newsletter &amp; offers',
    });
    expect((await t.request('GET', `/v1/purposes/${key}/texts/current?locale=de`)).body.code).toBe(
      'locale_not_available',
    );

    // A purpose change after publication does not alter what was published.
    await t.request('PATCH', `/v1/purposes/${key}`, { name: 'Something else' });
    const again = await t.request('GET', `/v1/purposes/${key}/texts/1`);
    expect(again.body.texts.find((x: { locale: string }) => x.locale === 'pl').sha256).toBe(plText.sha256);

    const v2 = await t.request('POST', `/v1/purposes/${key}/texts`, {
      locale: 'pl',
      title: 'N',
      body: '{{purpose.name}}',
    });
    expect(v2.body.version).toBe(2);
    const versions = await t.request('GET', `/v1/purposes/${key}/texts`);
    expect(versions.body.items.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [2, 'draft'],
      [1, 'published'],
    ]);
    const audit = await t.request('GET', `/v1/audit?targetId=${key}&action=consent_text.published`);
    expect(audit.body.items[0].data).toMatchObject({ version: 1, locales: ['en', 'pl'] });
  });

  it.each([
    ['a body that does not parse', '{{purpose.name'],
    ['an unknown variable', 'Hello {{subject.firstName}}'],
    ['an unknown variable in a block', '{{#if purpose.nmae}}x{{/if}}'],
    ['a partial', '{{> footer}}'],
    ['an unknown helper', '{{shout purpose.name}}'],
  ])('refuses %s with 422 template_invalid', async (_n, body) => {
    const key = uniqueKey('tpl');
    await t.request('POST', '/v1/purposes', purposeBody(key));
    const res = await t.request('POST', `/v1/purposes/${key}/texts`, { locale: 'pl', title: 't', body });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('template_invalid');
  });

  it('refuses every change to a published version with 409, and the database refuses it too', async () => {
    const key = uniqueKey('frozen');
    await t.request('POST', '/v1/purposes', purposeBody(key));
    await t.request('POST', `/v1/purposes/${key}/texts`, { locale: 'pl', title: 't', body: 'a' });
    // A draft can still be edited and deleted.
    expect((await t.request('PATCH', `/v1/purposes/${key}/texts/1/pl`, { body: 'b' })).status).toBe(200);
    expect((await t.request('POST', `/v1/purposes/${key}/texts/1/publish`, {})).status).toBe(200);

    const attempts = [
      t.request('POST', `/v1/purposes/${key}/texts`, { version: 1, locale: 'pl', title: 't', body: 'x' }),
      t.request('POST', `/v1/purposes/${key}/texts`, { version: 1, locale: 'en', title: 't', body: 'x' }),
      t.request('POST', `/v1/purposes/${key}/texts/1/publish`, {}),
      t.request('PATCH', `/v1/purposes/${key}/texts/1/pl`, { title: 'changed' }),
      t.request('DELETE', `/v1/purposes/${key}/texts/1`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('text_already_published');
    }

    const ds = t.dataSource;
    await expect(
      ds.query(`UPDATE consent_texts SET rendered = 'forged' WHERE purpose_key = $1`, [key]),
    ).rejects.toThrow(/published/);
    await expect(ds.query(`DELETE FROM consent_texts WHERE purpose_key = $1`, [key])).rejects.toThrow(/published/);
    await expect(
      ds.query(
        `INSERT INTO consent_texts (purpose_key, version, locale, title, body, requires_reconsent) VALUES ($1, 1, 'de', 't', 'b', false)`,
        [key],
      ),
    ).rejects.toThrow(/published/);
    await expect(t.asOwner(`TRUNCATE consent_texts`)).rejects.toThrow(/append-only/);
    const [row] = await ds.query(`SELECT body FROM consent_texts WHERE purpose_key = $1`, [key]);
    expect(row.body).toBe('b');
  });

  it('refuses to publish an empty or unknown version, and an older draft over a newer publication', async () => {
    const key = uniqueKey('order');
    await t.request('POST', '/v1/purposes', purposeBody(key));
    expect((await t.request('POST', `/v1/purposes/${key}/texts/1/publish`, {})).body.code).toBe('text_not_found');
    expect(
      (await t.request('POST', `/v1/purposes/nope-${key}/texts`, { locale: 'pl', title: 't', body: 'a' })).body.code,
    ).toBe('purpose_not_found');
    await t.request('POST', `/v1/purposes/${key}/texts`, { locale: 'pl', title: 't', body: 'one' });
    await t.request('POST', `/v1/purposes/${key}/texts`, { locale: 'pl', title: 't', body: 'two' });
    expect((await t.request('POST', `/v1/purposes/${key}/texts/2/publish`, {})).status).toBe(200);
    const older = await t.request('POST', `/v1/purposes/${key}/texts/1/publish`, {});
    expect(older.status).toBe(409);
    expect(older.body.code).toBe('conflict');
  });

  it('describes every consent route in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/docs-json', undefined, { key: null });
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/v1/purposes',
      '/v1/purposes/{key}',
      '/v1/purposes/{key}/texts',
      '/v1/purposes/{key}/texts/current',
      '/v1/purposes/{key}/texts/{version}/publish',
      '/v1/purposes/{key}/audience',
      '/v1/subjects/{id}/consents',
      '/v1/subjects/{id}/consents/history',
      '/v1/subjects/{id}/consents/{consentId}/proof',
      '/v1/subjects/{id}/unsubscribe-links',
      '/v1/consents',
      '/v1/consents/check',
      '/v1/receipts/jwks.json',
      '/v1/consent-subscriptions',
      '/public/unsubscribe',
      '/public/preferences',
      '/public/consents/confirm',
      '/.well-known/gpc.json',
    ]) {
      expect(paths).toContain(p);
    }
    expect(Object.keys(doc.body.paths['/v1/consents/check'])).toEqual(expect.arrayContaining(['get', 'post']));
  });
});
