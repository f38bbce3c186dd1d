import { randomBytes } from 'node:crypto';
import { CryptoService } from '../../src/common/crypto/crypto.service';
import { decryptField, fieldAad } from '../../src/common/crypto/envelope';
import { KEY_PURPOSES } from '../../src/common/crypto/keyring';
import { SubjectHooks } from '../../src/subjects/subject-hooks';
import { SubjectLifecycleService } from '../../src/subjects/subject-lifecycle.service';
import { SubjectLookupService } from '../../src/subjects/subject-lookup.service';
import { startTestApp, TestApp } from '../support/test-app';
import { scanForValues, scannedColumnCount } from './db-scan';

const tag = () => randomBytes(4).toString('hex');

interface Backup {
  key: { wrapped_key: Buffer; key_version: number } | undefined;
  ciphertexts: { column: string; blob: Buffer }[];
}

describe('subjects: erasure by crypto-shredding', () => {
  let t: TestApp;
  let subjects: SubjectLookupService;
  let crypto: CryptoService;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    subjects = t.get(SubjectLookupService);
    crypto = t.get(CryptoService);
  });
  afterAll(() => t.close());

  /** What a backup of the data tables holds for one subject: its wrapped key and every ciphertext. */
  async function backupOf(id: string): Promise<Backup> {
    const [key] = (await t.dataSource.query('SELECT wrapped_key, key_version FROM subject_keys WHERE subject_id = $1', [
      id,
    ])) as Backup['key'][];
    const [s] = (await t.dataSource.query(
      'SELECT first_name_enc, last_name_enc, birth_date_enc, locale_enc FROM subjects WHERE id = $1',
      [id],
    )) as Record<string, Buffer | null>[];
    const ids = (await t.dataSource.query('SELECT id, value_enc FROM subject_identifiers WHERE subject_id = $1', [
      id,
    ])) as { id: string; value_enc: Buffer }[];
    const holds = (await t.dataSource.query('SELECT id, reason_enc FROM subject_holds WHERE subject_id = $1', [
      id,
    ])) as { id: string; reason_enc: Buffer }[];
    return {
      key,
      ciphertexts: [
        ...Object.entries(s)
          .filter(([, b]) => b)
          .map(([c, blob]) => ({ column: c.replace(/_enc$/, ''), blob: blob! })),
        ...ids.map((i) => ({ column: `identifier.${i.id}`, blob: i.value_enc })),
        ...holds.filter((h) => h.reason_enc).map((h) => ({ column: `hold.${h.id}`, blob: h.reason_enc })),
      ],
    };
  }

  /** Everything an attacker holding the master keys and the live database can try on a backed-up ciphertext. */
  async function tryToRead(id: string, backup: Backup): Promise<string[]> {
    const candidates: Buffer[] = [];
    const live = (await t.dataSource.query('SELECT subject_id, wrapped_key, key_version FROM subject_keys')) as {
      subject_id: string;
      wrapped_key: Buffer;
      key_version: number;
    }[];
    for (const row of live) candidates.push(crypto.unwrap(row.wrapped_key, row.key_version, row.subject_id));
    for (const purpose of KEY_PURPOSES) {
      for (const version of crypto.keyring.versions) candidates.push(crypto.keyring.deriveKey(purpose, version));
    }
    const read: string[] = [];
    for (const { column, blob } of backup.ciphertexts) {
      for (const dek of candidates) {
        try {
          read.push(decryptField(dek, blob, fieldAad(id, column)));
        } catch {
          // expected: not this subject's key
        }
      }
    }
    return read;
  }

  it('destroys the key and the blind indexes: no table holds anything readable about the person', async () => {
    const canary = {
      email: `canary.${tag()}@example.com`,
      phone: `6${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
      firstName: `Kanarekq${tag()}`,
      lastName: `Ptaszynskiq${tag()}`,
      externalId: `CANARY-${tag()}`,
      birthDate: '1984-03-09',
      locale: 'en',
    };
    const res = await t.request('POST', '/v1/subjects', { ...canary, externalSystem: 'shop' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const renamed = `Wrobelq${tag()}`;
    await t.request('PATCH', `/v1/subjects/${id}`, { lastName: renamed });
    const hold = await t.request('POST', `/v1/subjects/${id}/holds`, {
      reason: `Sprawa ${canary.lastName}`,
      legalBasis: 'legal_claims',
    });
    await t.request('POST', `/v1/subjects/${id}/restriction`, { reason: 'legal_claims' });
    const needles = [
      canary.email,
      canary.phone,
      `+48${canary.phone}`,
      canary.firstName,
      canary.lastName,
      renamed,
      canary.externalId,
      canary.birthDate,
    ];

    // The scanner finds plaintext in text and bytea columns (so a clean result means something) ...
    const control = `scan-${tag()}`;
    await t.request('POST', '/v1/systems', { key: control, name: `Control ${canary.firstName}`, kind: 'manual' });
    await t.asOwner('CREATE TABLE scan_control (b bytea)');
    await t.asOwner('INSERT INTO scan_control VALUES ($1)', [Buffer.from(`x${canary.externalId}y`)]);
    expect((await scanForValues(t.dbName, needles)).sort()).toEqual([
      expect.stringContaining('"scan_control"."b"'),
      expect.stringContaining('"systems"."name"'),
    ]);
    await t.asOwner('DROP TABLE scan_control');
    await t.request('PATCH', `/v1/systems/${control}`, { name: 'Control' });
    expect(await scanForValues(t.dbName, needles)).toEqual([]);
    expect(await scannedColumnCount(t.dbName)).toBeGreaterThan(30);

    // ... and before erasure the backed-up ciphertexts are readable with the master key: the check can fail.
    const backup = await backupOf(id);
    expect(backup.ciphertexts.length).toBeGreaterThanOrEqual(8);
    expect(await tryToRead(id, backup)).toEqual(expect.arrayContaining([canary.email, canary.firstName, renamed]));

    // A legal hold blocks erasure until released.
    expect((await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'staff:canary' })).status).toBe(409);
    await t.request('DELETE', `/v1/subjects/${id}/holds/${hold.body.id}`);
    const erasedEvents: unknown[] = [];
    t.get(SubjectHooks).onErased('test', async (_m, e) => void erasedEvents.push(e));
    expect((await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'staff:canary' })).status).toBe(204);
    expect((await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'staff:canary' })).status).toBe(204);
    expect(erasedEvents).toEqual([{ subjectId: id, reason: 'staff:canary' }]);

    expect(await scanForValues(t.dbName, needles)).toEqual([]);
    const left = await backupOf(id);
    expect(left).toEqual({ key: undefined, ciphertexts: [] });
    // The ciphertexts from before the erasure: not this subject's key any more, nor any key the master derives.
    expect(await tryToRead(id, backup)).toEqual([]);

    const shown = await t.request('GET', `/v1/subjects/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id,
      status: 'erased',
      email: null,
      phone: null,
      firstName: null,
      lastName: null,
      birthDate: null,
      identifiers: [],
      restriction: null,
    });
    expect(shown.body.holds).toEqual([expect.objectContaining({ id: hold.body.id, reason: null, active: false })]);
    expect(await subjects.getContact(id)).toBeNull();
    expect((await subjects.getDecisionFacts([id])).get(id)?.status).toBe('erased');
    expect((await t.request('GET', `/v1/subjects?email=${canary.email}`)).body.items).toEqual([]);
    expect((await t.request('PATCH', `/v1/subjects/${id}`, { firstName: 'X' })).body.code).toBe('subject_erased');
    const audit = await t.request('GET', `/v1/audit?subjectId=${id}&action=subject.erased`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ reason: 'staff:canary', data: { identifiers: 3, suppressed: 3 } });
  });

  it('keeps a salted hash of each identifier on a suppression list that outlives the erasure', async () => {
    const email = `supp.${tag()}@example.com`;
    const phone = `6${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const id = (await t.request('POST', '/v1/subjects', { email, phone })).body.id as string;
    expect(await subjects.isSuppressed('email', email)).toBe(false);
    await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'request:test' });

    const rows = (await t.dataSource.query('SELECT kind, hash FROM subject_suppressions')) as {
      kind: string;
      hash: string;
    }[];
    expect(rows).toEqual(
      expect.arrayContaining([
        { kind: 'email', hash: crypto.suppressionHash('email', email) },
        { kind: 'phone', hash: crypto.suppressionHash('phone', `+48${phone}`) },
      ]),
    );
    // Keyed with its own key: neither the plain value nor its blind index is what is stored.
    expect(rows.some((r) => r.hash === crypto.blindIndex('email', email).toString('hex'))).toBe(false);
    expect(await subjects.isSuppressed('email', `  ${email.toUpperCase()}`)).toBe(true);
    expect(await subjects.isSuppressed('phone', `+48 ${phone}`)).toBe(true);
    expect([...(await subjects.suppressedSet('email', [email, `other.${tag()}@example.com`, 'junk']))]).toEqual([
      email,
    ]);

    // Re-imported later: a new subject, still suppressed.
    const again = await t.request('POST', '/v1/subjects', { email });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(id);
    expect(await subjects.isSuppressed('email', email)).toBe(true);
  });

  it('erasing a merged id erases the person it was merged into', async () => {
    const survivor = (await t.request('POST', '/v1/subjects', { email: `ms.${tag()}@example.com` })).body.id;
    const merged = (await t.request('POST', '/v1/subjects', { email: `mm.${tag()}@example.com` })).body.id;
    await t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: merged });
    await t.dataSource.transaction((m) => t.get(SubjectLifecycleService).erase(merged, 'request:merged', m));
    expect((await subjects.getDecisionFacts([survivor])).get(survivor)?.status).toBe('erased');
    expect(
      (await t.request('POST', '/v1/subjects/6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11/erase', { reason: 'x' })).status,
    ).toBe(404);
  });
});
