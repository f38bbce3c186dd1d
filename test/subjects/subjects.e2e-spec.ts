import { randomBytes } from 'node:crypto';
import { CryptoService } from '../../src/common/crypto/crypto.service';
import { SubjectHooks } from '../../src/subjects/subject-hooks';
import { SubjectLookupService } from '../../src/subjects/subject-lookup.service';
import { SubjectRightsService } from '../../src/subjects/subject-rights.service';
import { startTestApp, TestApp } from '../support/test-app';
import { pgDump } from './db-scan';

const tag = () => randomBytes(4).toString('hex');
// Digits for Polish mobile numbers in the 600-699 range, unique per run.
const mobile = () => `6${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

describe('subjects: identities, lookups, rectification, restriction, holds, merging', () => {
  let t: TestApp;
  let subjects: SubjectLookupService;
  let rights: SubjectRightsService;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    subjects = t.get(SubjectLookupService);
    rights = t.get(SubjectRightsService);
  });
  afterAll(() => t.close());

  const create = async (body: Record<string, unknown>) => {
    const res = await t.request('POST', '/v1/subjects', body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('creates a subject with e-mail and phone, normalised, and finds it however the e-mail is typed', async () => {
    const local = `jan.kowalski.${tag()}`;
    const digits = mobile();
    const res = await t.request('POST', '/v1/subjects', {
      email: ` ${local.toUpperCase()}@Example.COM `,
      phone: `${digits.slice(0, 3)} ${digits.slice(3, 6)}-${digits.slice(6)}`,
      firstName: 'Jan',
      lastName: 'Kowalski',
      birthDate: '1990-05-17',
      locale: 'pl',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), status: 'active', createdAt: expect.any(String) });
    // The creation response carries no personal data (the idempotency store keeps it in the clear).
    expect(res.text).not.toMatch(/example|kowalski|\+48/i);
    const id = res.body.id as string;

    const shown = await t.request('GET', `/v1/subjects/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id,
      status: 'active',
      email: `${local}@example.com`,
      phone: `+48${digits}`,
      firstName: 'Jan',
      lastName: 'Kowalski',
      birthDate: '1990-05-17',
      locale: 'pl',
      mergedInto: null,
      restriction: null,
      holds: [],
    });

    for (const query of [
      `email=${encodeURIComponent(`${local}@EXAMPLE.com`)}`,
      `email=${encodeURIComponent(`  ${local.replace('jan', 'JAN')}@example.com`)}`,
      `phone=${encodeURIComponent(`+48 ${digits}`)}`,
      `phone=${encodeURIComponent(`0048${digits}`)}`,
    ]) {
      const found = await t.request('GET', `/v1/subjects?${query}`);
      expect(found.status).toBe(200);
      expect(found.body.items.map((s: { id: string }) => s.id)).toEqual([id]);
    }
    expect((await t.request('GET', `/v1/subjects?email=nobody.${tag()}@example.com`)).body.items).toEqual([]);
    expect(await subjects.findIdByIdentifier('email', `${local.toUpperCase()}@example.com`)).toBe(id);
    expect(await subjects.findIdByIdentifier('email', 'not an e-mail')).toBeNull();
    const batch = await subjects.findIdsByIdentifiers('email', [
      `${local}@example.com`,
      ` ${local.toUpperCase()}@example.com`,
      `unknown.${tag()}@example.com`,
      'garbage',
    ]);
    expect([...batch.entries()].sort()).toEqual(
      [
        [`${local}@example.com`, id],
        [` ${local.toUpperCase()}@example.com`, id],
      ].sort(),
    );
  });

  it('answers 409 subject_exists with the owner for any identifier already taken', async () => {
    const email = `dup.${tag()}@example.com`;
    const digits = mobile();
    const owner = await create({ email, phone: digits, externalId: `C-${tag()}`, externalSystem: 'shop' });
    const byEmail = await t.request('POST', '/v1/subjects', { email: email.toUpperCase() });
    expect(byEmail.status).toBe(409);
    expect(byEmail.body).toMatchObject({ code: 'subject_exists', subjectId: owner });
    expect(byEmail.text).not.toContain(email);
    const byPhone = await t.request('POST', '/v1/subjects', {
      email: `other.${tag()}@example.com`,
      phone: `+48${digits}`,
    });
    expect(byPhone.status).toBe(409);
    expect(byPhone.body.subjectId).toBe(owner);
    // Nothing of the refused subject was left behind.
    expect(await subjects.findIdByIdentifier('email', byPhone.body.email ?? 'x@example.com')).toBeNull();
  });

  it('lets exactly one of many concurrent creations of the same e-mail win; the others get its id', async () => {
    const email = `race.${tag()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.request('POST', '/v1/subjects', { email: i % 2 ? email.toUpperCase() : email }),
      ),
    );
    const winners = results.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    const winner = winners[0].body.id as string;
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r).toMatchObject({ status: 409, body: { code: 'subject_exists', subjectId: winner } });
    }
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM subject_identifiers WHERE kind = 'email' AND blind_index = $1`,
      [t.get(CryptoService).blindIndex('email', email)],
    )) as { n: number }[];
    expect(n).toBe(1);
  });

  it('looks identifiers up through the blind-index index, never a table scan', async () => {
    const plan = await t.dataSource.transaction(async (m) => {
      // Tiny test tables make a sequential scan cheapest; what matters is that the index fits the query.
      await m.query('SET LOCAL enable_seqscan = off');
      const rows = (await m.query(
        `EXPLAIN SELECT blind_index, system_key, subject_id FROM subject_identifiers
          WHERE kind = 'email' AND blind_index = ANY($1::bytea[])`,
        [[Buffer.alloc(32, 1), Buffer.alloc(32, 2)]],
      )) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('ux_subject_identifiers_lookup');
    expect(plan).toContain('blind_index = ANY');
    expect(plan).not.toContain('Seq Scan');
  });

  it('keeps external ids apart per system and refuses a taken one within a system', async () => {
    const ext = `K-${tag()}`;
    const shop = await create({ externalId: ext, externalSystem: 'shop' });
    const crm = await create({ externalId: ext, externalSystem: 'crm' });
    expect(shop).not.toBe(crm);
    const dup = await t.request('POST', '/v1/subjects', { externalId: ext, externalSystem: 'shop' });
    expect(dup).toMatchObject({ status: 409, body: { code: 'subject_exists', subjectId: shop } });
    const both = await t.request('GET', `/v1/subjects?externalId=${ext}`);
    expect(both.body.items.map((s: { id: string }) => s.id).sort()).toEqual([shop, crm].sort());
    const inCrm = await t.request('GET', `/v1/subjects?externalId=${ext}&system=crm`);
    expect(inCrm.body.items.map((s: { id: string }) => s.id)).toEqual([crm]);
    // Ambiguous without a system: the contract's single lookup refuses to guess.
    expect(await subjects.findIdByIdentifier('external_id', ext)).toBeNull();
  });

  it.each([
    ['an invalid e-mail', { email: 'jan(at)example.com' }, 'invalid_identifier', ['email']],
    ['an invalid phone', { phone: '123' }, 'invalid_identifier', ['phone']],
    ['both', { email: 'a@b', phone: '+48 999 999 999' }, 'invalid_identifier', ['email', 'phone']],
    [
      'a birth date in the future',
      { email: `f.${tag()}@example.com`, birthDate: '2999-01-01' },
      'validation_failed',
      ['birthDate'],
    ],
    [
      'an impossible birth date',
      { email: `g.${tag()}@example.com`, birthDate: '2001-02-30' },
      'validation_failed',
      ['birthDate'],
    ],
    ['an unknown locale', { email: `h.${tag()}@example.com`, locale: 'klingon-tlh' }, 'validation_failed', ['locale']],
    ['an unknown field', { email: `i.${tag()}@example.com`, pesel: '90051712345' }, 'validation_failed', ['pesel']],
  ])('refuses %s with 422 naming the field, never echoing the value', async (_name, body, code, fields) => {
    const res = await t.request('POST', '/v1/subjects', body);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe(code);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(fields);
    for (const value of Object.values(body)) expect(res.text).not.toContain(String(value));
  });

  it('rectifies a field with PATCH; the audit log shows which key did it and which field, not the value', async () => {
    const id = await create({ email: `rect.${tag()}@example.com`, lastName: 'Nowakowskaq' });
    const key = await t.request('POST', '/v1/api-keys', {
      name: 'front-desk',
      scopes: ['subjects:write', 'subjects:read'],
    });
    const patched = await t.request(
      'PATCH',
      `/v1/subjects/${id}`,
      { lastName: 'Nowakq', locale: 'en' },
      { key: key.body.key },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, lastName: 'Nowakq', locale: 'en' });
    expect((await t.request('GET', `/v1/subjects/${id}`)).body.lastName).toBe('Nowakq');

    const audit = await t.request('GET', `/v1/audit?subjectId=${id}&action=subject.updated`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actor: { type: 'api_key', id: key.body.id },
      target: { type: 'subject', id },
      data: { fields: ['lastName', 'locale'] },
    });
    const created = await t.request('GET', `/v1/audit?subjectId=${id}&action=subject.created`);
    expect(created.body.items[0].actor.id).not.toBe(key.body.id);
    expect(JSON.stringify([audit.body, created.body])).not.toMatch(/Nowak|rect\./);

    // Clearing and replacing: null removes, a new e-mail replaces the old one, which is then free.
    const oldEmail = patched.body.email as string;
    const newEmail = `rect.new.${tag()}@example.com`;
    const again = await t.request('PATCH', `/v1/subjects/${id}`, { email: newEmail, lastName: null });
    expect(again.body).toMatchObject({ email: newEmail, lastName: null });
    expect(await subjects.findIdByIdentifier('email', oldEmail)).toBeNull();
    expect(await subjects.findIdByIdentifier('email', newEmail)).toBe(id);
    const other = await create({ email: `taken.${tag()}@example.com` });
    const clash = await t.request('PATCH', `/v1/subjects/${other}`, { email: newEmail.toUpperCase() });
    expect(clash).toMatchObject({ status: 409, body: { code: 'subject_exists', subjectId: id } });
    expect((await t.request('PATCH', `/v1/subjects/${id}`, { phone: '12' })).status).toBe(422);
    expect(
      (await t.request('PATCH', '/v1/subjects/6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11', { lastName: 'X' })).body.code,
    ).toBe('unknown_subject');
  });

  it('restricts a subject and places a legal hold, both visible in its view and to other modules', async () => {
    const id = await create({ email: `hold.${tag()}@example.com` });
    const restricted = await t.request('POST', `/v1/subjects/${id}/restriction`, { reason: 'accuracy_contested' });
    expect(restricted.status).toBe(200);
    expect(restricted.body).toMatchObject({ status: 'restricted', restriction: { reason: 'accuracy_contested' } });
    expect((await subjects.getDecisionFacts([id])).get(id)).toEqual({
      status: 'restricted',
      minorUntil: null,
      objectedToDirectMarketing: false,
    });
    expect((await t.request('POST', `/v1/subjects/${id}/restriction`, { reason: 'because' })).status).toBe(422);

    const endsAt = new Date(Date.now() + 90 * 86_400_000).toISOString();
    const hold = await t.request('POST', `/v1/subjects/${id}/holds`, {
      reason: 'Spór sądowy I C 123/25',
      endsAt,
      legalBasis: 'legal_claims',
    });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ id: expect.any(String), active: true, endsAt, reason: null });
    const view = (await t.request('GET', `/v1/subjects/${id}`)).body;
    expect(view.status).toBe('restricted');
    expect(view.onHold).toBe(true);
    expect(view.holds).toEqual([
      expect.objectContaining({ id: hold.body.id, reason: 'Spór sądowy I C 123/25', active: true, endsAt }),
    ]);
    expect(await rights.activeHolds(id)).toEqual([
      { legalBasis: 'legal_claims', categories: [], endsAt: new Date(endsAt) },
    ]);
    expect((await rights.listHolds(id))[0].reason).toBe('Spór sądowy I C 123/25');
    // The hold blocks erasure (Art. 17(3)); the reason stays out of the audit log.
    const erase = await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'staff:test' });
    expect(erase).toMatchObject({ status: 409, body: { code: 'subject_on_hold' } });
    const past = await t.request('POST', `/v1/subjects/${id}/holds`, {
      reason: 'x',
      endsAt: '2001-01-01T00:00:00Z',
      legalBasis: 'legal_claims',
    });
    expect(past.status).toBe(422);

    expect((await t.request('DELETE', `/v1/subjects/${id}/holds/${hold.body.id}`)).status).toBe(204);
    expect((await t.request('DELETE', `/v1/subjects/${id}/holds/${hold.body.id}`)).status).toBe(204);
    expect((await t.request('DELETE', `/v1/subjects/${id}/holds/6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11`)).status).toBe(
      404,
    );
    expect(await rights.activeHolds(id)).toEqual([]);
    // Art. 18(3): told first; here by letter (restriction-lift.e2e-spec.ts covers the e-mailed notice).
    const toldAt = new Date().toISOString();
    const lifted = await t.request('DELETE', `/v1/subjects/${id}/restriction`, { toldBy: 'letter', toldAt });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ status: 'active', restriction: null, onHold: false });
    expect(lifted.body.holds[0]).toMatchObject({ active: false, releasedBy: expect.stringMatching(/^api_key:/) });

    const audit = await t.request('GET', `/v1/audit?subjectId=${id}`);
    // Changes only: the reads of the subject in between are on record too (subject.viewed), left out here.
    const changes = audit.body.items.filter((e: { action: string }) => e.action !== 'subject.viewed');
    expect(changes.map((e: { action: string }) => e.action).reverse()).toEqual([
      'subject.created',
      'subject.restricted',
      'subject.hold_added',
      'subject.hold_released',
      'subject.restriction_lifted',
    ]);
    expect(JSON.stringify(audit.body)).not.toContain('Spór');
  });

  it('records objections and derives the minor flag without decrypting', async () => {
    const today = new Date();
    const birth = `${today.getUTCFullYear() - 15}-01-01`;
    const minor = await create({ email: `minor.${tag()}@example.com`, birthDate: birth });
    const adult = await create({ email: `adult.${tag()}@example.com`, birthDate: '1980-02-29' });
    await t.dataSource.transaction((m) => rights.setObjection(m, adult, 'direct_marketing'));
    const facts = await subjects.getDecisionFacts([minor, adult, 'not-a-uuid', '6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11']);
    expect(facts.size).toBe(2);
    expect(facts.get(minor)).toEqual({
      status: 'active',
      minorUntil: `${today.getUTCFullYear() + 1}-01-01`,
      objectedToDirectMarketing: false,
    });
    expect(facts.get(adult)).toEqual({ status: 'active', minorUntil: null, objectedToDirectMarketing: true });
  });

  it('records last activity: forward only, never into the future', async () => {
    const id = await create({ email: `act.${tag()}@example.com` });
    const before = (await t.request('GET', `/v1/subjects/${id}`)).body.lastActivityAt as string;
    expect((await t.request('POST', `/v1/subjects/${id}/activity`, { at: '2020-01-01T00:00:00Z' })).status).toBe(204);
    expect((await t.request('GET', `/v1/subjects/${id}`)).body.lastActivityAt).toBe(before);
    await new Promise((r) => setTimeout(r, 5));
    expect((await t.request('POST', `/v1/subjects/${id}/activity`, {})).status).toBe(204);
    const after = (await t.request('GET', `/v1/subjects/${id}`)).body.lastActivityAt as string;
    expect(after > before).toBe(true);
    await t.request('POST', `/v1/subjects/${id}/activity`, { at: '2999-01-01T00:00:00Z' });
    expect(Date.parse((await t.request('GET', `/v1/subjects/${id}`)).body.lastActivityAt)).toBeLessThanOrEqual(
      Date.now(),
    );
    const audit = await t.request('GET', `/v1/audit?subjectId=${id}&action=subject.activity_recorded`);
    expect(audit.body.items).toHaveLength(2);
    expect((await t.request('POST', '/v1/subjects/6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11/activity', {})).status).toBe(
      404,
    );
  });

  it('merges two records of one person: identifiers, holds and audit history follow the survivor', async () => {
    const a = { email: `merge.a.${tag()}@example.com`, firstName: 'Anna' };
    const b = {
      email: `merge.b.${tag()}@example.com`,
      phone: mobile(),
      lastName: 'Zielinskaq',
      externalId: `M-${tag()}`,
    };
    const survivor = await create(a);
    const merged = await create(b);
    await t.request('POST', `/v1/subjects/${merged}/restriction`, { reason: 'objection_pending' });
    await t.request('POST', `/v1/subjects/${merged}/holds`, {
      reason: 'Reklamacja 77/2025',
      legalBasis: 'legal_claims',
    });
    const seen: unknown[] = [];
    t.get(SubjectHooks).onMerged('test', async (_m, e) => void seen.push(e));

    const res = await t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: merged });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ survivorId: survivor, mergedId: merged }]);
    expect(res.body).toMatchObject({
      id: survivor,
      email: a.email,
      firstName: 'Anna',
      lastName: 'Zielinskaq',
      phone: `+48${b.phone}`,
      externalId: b.externalId,
      status: 'restricted',
      onHold: true,
      mergedIds: [merged],
    });
    expect(res.body.identifiers).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: a.email, system: null, primary: true },
        { kind: 'email', value: b.email, system: null, primary: false },
      ]),
    );
    expect(res.body.holds[0].reason).toBe('Reklamacja 77/2025');

    for (const [kind, value] of [
      ['email', b.email],
      ['phone', b.phone],
      ['externalId', b.externalId],
      ['email', a.email],
    ]) {
      const found = await t.request('GET', `/v1/subjects?${kind}=${encodeURIComponent(value)}`);
      expect(found.body.items.map((s: { id: string }) => s.id)).toEqual([survivor]);
    }
    const old = await t.request('GET', `/v1/subjects/${merged}`);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ id: survivor, mergedInto: survivor, requestedId: merged, email: a.email });
    expect(await subjects.resolveId(merged)).toBe(survivor);
    expect(await subjects.aliasesOf(merged)).toEqual([survivor, merged]);
    expect((await subjects.getDecisionFacts([merged])).get(merged)?.status).toBe('restricted');
    expect((await subjects.getContact(merged))?.email).toBe(a.email);

    // The append-only audit log cannot be rewritten: a query by the survivor finds the merged record's entries.
    const audit = await t.request('GET', `/v1/audit?subjectId=${survivor}`);
    const entries = audit.body.items as { action: string; subjectId: string; data: Record<string, unknown> }[];
    expect(
      entries
        .filter((e) => e.action === 'subject.created')
        .map((e) => e.subjectId)
        .sort(),
    ).toEqual([survivor, merged].sort());
    expect(entries.find((e) => e.action === 'subject.merged')?.data).toMatchObject({
      survivorId: survivor,
      mergedId: merged,
      identifiers: 3,
      holds: 1,
    });

    // Writes through the old id reach the survivor; a merge repeated is a no-op; chains flatten.
    expect((await t.request('PATCH', `/v1/subjects/${merged}`, { firstName: 'Anka' })).body).toMatchObject({
      id: survivor,
      firstName: 'Anka',
    });
    expect((await t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: merged })).status).toBe(200);
    expect((await t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: survivor })).status).toBe(422);
    const third = await create({ email: `merge.c.${tag()}@example.com` });
    expect((await t.request('POST', `/v1/subjects/${third}/merge`, { mergedId: survivor })).status).toBe(200);
    expect((await t.request('GET', `/v1/subjects/${merged}`)).body).toMatchObject({ id: third, mergedInto: third });
    expect(await subjects.findIdByIdentifier('email', b.email)).toBe(third);
    expect((await t.request('POST', `/v1/subjects/${merged}/merge`, { mergedId: third })).status).toBe(409);
  });

  it('lists, for breach selection, the subjects held during a window, in id pages', async () => {
    const before = new Date();
    const kept = await create({ email: `breach.a.${tag()}@example.com` });
    const merged = await create({ email: `breach.b.${tag()}@example.com` });
    const erased = await create({ email: `breach.c.${tag()}@example.com` });
    await t.request('POST', `/v1/subjects/${kept}/merge`, { mergedId: merged });
    await t.request('POST', `/v1/subjects/${erased}/erase`, { reason: 'staff:test' });
    const all: string[] = [];
    for (let after: string | undefined; ;) {
      const page = await subjects.listIdsHeldBetween(new Date(), new Date(Date.now() + 60_000), null, after, 2);
      all.push(...page);
      if (page.length < 2) break;
      after = page[page.length - 1];
    }
    expect(all).toEqual([...all].sort());
    expect(all).toContain(kept);
    expect(all).not.toContain(merged);
    // Erased before the window began: not held during it.
    expect(all).not.toContain(erased);
    // Erased after the window began: held during it, so counted (it cannot be told, having no contact left).
    const during = await subjects.listIdsHeldBetween(before, new Date(), null, undefined, 1000);
    expect(during).toEqual(expect.arrayContaining([kept, erased]));
    const earlier = await subjects.listIdsHeldBetween(
      new Date(0),
      new Date(before.getTime() - 1000),
      null,
      undefined,
      1000,
    );
    expect(earlier).not.toContain(kept);
  });

  it('needs subjects scopes: a consent-only key cannot read or write subjects', async () => {
    const key = await t.request('POST', '/v1/api-keys', { name: 'newsletter', scopes: ['consent:read'] });
    const id = await create({ email: `scope.${tag()}@example.com` });
    for (const [method, path, body] of [
      ['GET', `/v1/subjects/${id}`, undefined],
      ['GET', `/v1/subjects?email=scope@example.com`, undefined],
      ['POST', '/v1/subjects', { email: `s2.${tag()}@example.com` }],
      ['PATCH', `/v1/subjects/${id}`, { firstName: 'X' }],
    ] as const) {
      expect((await t.request(method, path, body, { key: key.body.key })).status).toBe(403);
    }
    const writer = await t.request('POST', '/v1/api-keys', { name: 'crm', scopes: ['subjects:write'] });
    expect(
      (await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'x' }, { key: writer.body.key })).status,
    ).toBe(403);
    expect((await t.request('GET', '/v1/subjects')).status).toBe(422);
    expect((await t.request('GET', '/v1/subjects?email=a@example.com&phone=600100200')).status).toBe(422);
  });

  it('leaves no e-mail, phone or name in the clear in a pg_dump of the database', async () => {
    const people = Array.from({ length: 3 }, (_, i) => ({
      email: `dump.${i}.${tag()}@example.com`,
      phone: mobile(),
      firstName: `Grzegorzq${tag()}`,
      lastName: `Brzeczyszczykiewiczq${tag()}`,
      externalId: `EXT-${tag()}`,
      birthDate: '1977-07-07',
    }));
    for (const p of people) {
      const res = await t.request('POST', '/v1/subjects', p, { headers: { 'idempotency-key': `dump-${tag()}` } });
      expect(res.status).toBe(201);
      await t.request('PATCH', `/v1/subjects/${res.body.id}`, { lastName: `${p.lastName}x` });
      await t.request('POST', `/v1/subjects/${res.body.id}/holds`, {
        reason: `Sprawa ${p.firstName}`,
        legalBasis: 'legal_claims',
      });
    }
    const dump = pgDump(t.dbName);
    expect(dump).toContain('COPY public.subjects');
    expect(dump).toContain('COPY public.subject_identifiers');
    const lower = dump.toLowerCase();
    for (const p of people) {
      for (const value of [p.email, p.phone, `+48${p.phone}`, p.firstName, p.lastName, p.externalId]) {
        expect(lower.includes(value.toLowerCase())).toBe(false);
      }
    }
    // The same values are in the database, only encrypted: the API still shows them.
    const id = await subjects.findIdByIdentifier('email', people[0].email);
    expect((await t.request('GET', `/v1/subjects/${id}`)).body.firstName).toBe(people[0].firstName);
  });
});
