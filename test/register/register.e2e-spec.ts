import ExcelJS from 'exceljs';
import { OPTICIAN_PURPOSES } from '../../src/consent/seed/optician.seed';
import { startTestApp, TestApp } from '../support/test-app';
import { pdfText } from '../support/pdf-text';
import {
  CONTROLLER_NAME,
  download,
  htmlTable,
  MANDATORY_HEADERS,
  seedOpticianWithRegister,
  UODO_HEADERS,
} from './register-fixtures';

const ACTIVITY_NAMES = OPTICIAN_PURPOSES.map((p) => p.purpose.name);

describe('register of processing activities (Art. 30)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { CONTROLLER_NAME } });
    await seedOpticianWithRegister(t);
  });
  afterAll(() => t.close());

  const register = async (query = '') => {
    const res = await t.request('GET', `/v1/register${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const activity = (r: any, key: string) => r.activities.find((a: any) => a.key === key);

  it('generates one activity per purpose with every Art. 30(1) field and no mandatory gap for the seed', async () => {
    const r = await register();
    expect(r.controller).toMatchObject({ name: CONTROLLER_NAME, dpo: { contact: 'iod@example.com' } });
    expect(r.columns.map((c: any) => c.header)).toEqual(UODO_HEADERS);
    expect(r.activities.map((a: any) => a.name).sort()).toEqual([...ACTIVITY_NAMES].sort());
    expect(r.gaps.filter((g: any) => g.severity === 'mandatory')).toEqual([]);

    const order = activity(r, 'order-fulfilment');
    expect(order.row.legalBasis).toBe('art. 6 ust. 1 lit. b RODO (wykonanie umowy)');
    // Planned erasure in words, from the enforced policies, ending with the provision they rest on.
    expect(order.row.erasure).toContain(
      'accounting_records: 5 lat od końca roku, w którym dokonano ostatniego wpisu – przegląd i zniszczenie (Ustawa o rachunkowości, art. 74 ust. 2 pkt 1',
    );
    expect(order.row.erasure).toContain('art. 74 ust. 2 pkt 1');
    expect(order.row.erasure).toContain('complaints: 1 rok od rozliczenia reklamacji');
    expect(order.row.processors).toContain('accounting office (ksiegowosc@example.com)');
    // Zgoda holds the customers' names; the accounting program the books.
    expect(order.row.systems.split('; ').sort()).toEqual(['Program księgowy', 'Zgoda']);
    expect(order.plannedErasure.map((e: any) => e.policyKey).sort()).toEqual([
      'accounting-records',
      'complaints',
      'tax-records',
    ]);
    expect(order.row.transfers).toMatch(/^Nie dotyczy/);

    const newsletter = activity(r, 'newsletter');
    expect(newsletter.row.erasure).toContain(
      'do wycofania zgody, następnie 3 lata od jej wycofania, do końca roku kalendarzowego – usunięcie',
    );
    expect(newsletter.row.systems.split('; ').sort()).toEqual(['Platforma wysyłki e-maili', 'Zgoda']);
    expect(newsletter.row.security).toContain('AES-256-GCM');

    const exam = activity(r, 'eye-exam-records');
    expect(exam.row.legalBasis).toContain('art. 9 ust. 2 lit. h RODO');
    expect(exam.row.erasure).toContain('20 lat');
    expect(exam.row.recipients).toBe('medical records software provider (EEA)');
    // Art. 35: health data without a DPIA reference is flagged, but it is not an Art. 30 omission.
    expect(r.gaps).toContainEqual(
      expect.objectContaining({ activity: 'eye-exam-records', column: 'dpia', severity: 'recommended' }),
    );

    const en = await register('?lang=en');
    expect(activity(en, 'order-fulfilment').row.erasure).toContain(
      '5 years from the end of the year in which the last entry was made – review and destruction',
    );
    expect(activity(en, 'newsletter').row.legalBasis).toBe('Art. 6(1)(a) GDPR (consent of the data subject)');
  });

  it('downloads every format with its content type and file name; bad format or lang is a 422 problem', async () => {
    const cases: [string, RegExp, RegExp | null][] = [
      ['json', /^application\/json/, null],
      ['jsonld', /^application\/ld\+json/, null],
      [
        'csv',
        /^text\/csv; charset=utf-8/,
        /^attachment; filename="rejestr-czynnosci-przetwarzania-\d{4}-\d\d-\d\d\.csv"$/,
      ],
      [
        'xlsx',
        /^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet$/,
        /^attachment; filename="rejestr-czynnosci-przetwarzania-.*\.xlsx"$/,
      ],
      ['html', /^text\/html; charset=utf-8/, /^inline; filename=".*\.html"$/],
      ['pdf', /^application\/pdf$/, /^attachment; filename="rejestr-czynnosci-przetwarzania-.*\.pdf"$/],
    ];
    for (const [format, type, disposition] of cases) {
      for (const lang of ['pl', 'en']) {
        const res = await download(t, `/v1/register?format=${format}&lang=${lang}`);
        expect([format, lang, res.status]).toEqual([format, lang, 200]);
        expect(res.headers.get('content-type')).toMatch(type);
        if (disposition && lang === 'pl') expect(res.headers.get('content-disposition')).toMatch(disposition);
        expect(res.bytes.length).toBeGreaterThan(200);
      }
    }
    for (const q of ['format=docx', 'lang=de', 'role=owner']) {
      const res = await t.request('GET', `/v1/register?${q}`);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
    }
  });

  it('XLSX: header block, the exact UODO headers in order, frozen header row, wrapped text, no empty mandatory cell', async () => {
    const res = await download(t, '/v1/register?format=xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.bytes as never);
    const ws = wb.getWorksheet('Rejestr')!;
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1).map((v) => (v == null ? '' : String(v)));
    let headerRow = 0;
    ws.eachRow((row, n) => {
      if (!headerRow && row.getCell(1).value === 'Lp.') headerRow = n;
    });
    expect(headerRow).toBeGreaterThan(1);
    const block = Array.from({ length: headerRow - 1 }, (_, i) => values(i + 1).join(' ')).join('\n');
    expect(block).toContain(CONTROLLER_NAME);
    expect(block).toContain('Inspektor ochrony danych Inspektor Ochrony Danych (iod@example.com)');
    expect(values(headerRow)).toEqual(UODO_HEADERS);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: headerRow });

    const mandatory = MANDATORY_HEADERS.map((h) => UODO_HEADERS.indexOf(h) + 1);
    for (const col of mandatory) {
      expect(ws.getRow(headerRow).getCell(col).note).toBeDefined();
    }
    const rows = ws.getRows(headerRow + 1, ws.rowCount - headerRow)!;
    expect(rows.map((r) => String(r.getCell(2).value)).sort()).toEqual([...ACTIVITY_NAMES].sort());
    for (const row of rows) {
      for (const col of mandatory) {
        const v = String(row.getCell(col).value ?? '').trim();
        expect([row.getCell(2).value, UODO_HEADERS[col - 1], v === '' || v.startsWith('BRAK')]).toEqual([
          row.getCell(2).value,
          UODO_HEADERS[col - 1],
          false,
        ]);
      }
      expect(row.getCell(9).alignment).toMatchObject({ wrapText: true });
    }
    expect(wb.getWorksheet('Luki')).toBeDefined();
  });

  it('CSV is UTF-8 with a BOM, the UODO headers first, one line per activity', async () => {
    const res = await download(t, '/v1/register?format=csv');
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = res.bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe(UODO_HEADERS.map((h) => (h.includes(',') ? `"${h}"` : h)).join(';'));
    for (const name of ACTIVITY_NAMES) expect(text).toContain(`;${name};`);
  });

  it('PDF has the controller name (Polish letters intact) and every activity', async () => {
    const res = await download(t, '/v1/register?format=pdf');
    expect(res.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = (await pdfText(res.bytes)).replace(/\s*\n\s*/g, ' ');
    expect(text).toContain(CONTROLLER_NAME);
    expect(text).toContain('Planowany termin usunięcia kategorii danych');
    for (const name of ACTIVITY_NAMES) expect(text).toContain(name);
  });

  it('HTML is a printable page whose table says exactly what the JSON says', async () => {
    for (const lang of ['pl', 'en']) {
      const json = await register(`?lang=${lang}`);
      const res = await t.request('GET', `/v1/register?format=html&lang=${lang}`);
      expect(res.text).toContain(`<html lang="${lang}">`);
      expect(res.text).toContain('@page');
      const table = htmlTable(res.text, 'register');
      expect(table.head).toEqual(json.columns.map((c: any) => c.header));
      expect(table.rows).toEqual(json.activities.map((a: any) => json.columns.map((c: any) => a.row[c.key])));
      expect(res.text).toContain(json.controller.name.replace(/&/g, '&amp;'));
    }
  });

  it('JSON-LD uses W3C DPV terms and eu-gdpr legal basis IRIs', async () => {
    const res = await t.request('GET', '/v1/register?format=jsonld');
    const doc = JSON.parse(res.text);
    expect(doc['@context']).toMatchObject({
      dpv: 'https://w3id.org/dpv#',
      'eu-gdpr': 'https://w3id.org/dpv/legal/eu/gdpr#',
    });
    expect(doc['dpv:hasDataController']).toMatchObject({ 'dpv:hasName': CONTROLLER_NAME });
    const byId = (key: string) => doc['dct:hasPart'].find((p: any) => p['dct:identifier'] === key);
    expect(byId('newsletter')['dpv:hasLegalBasis']).toEqual([{ '@id': 'eu-gdpr:A6-1-a' }]);
    expect(byId('eye-exam-records')['dpv:hasLegalBasis']).toEqual([
      { '@id': 'eu-gdpr:A6-1-c' },
      { '@id': 'eu-gdpr:A9-2-h' },
    ]);
    expect(byId('newsletter')['dpv:hasPersonalData']).toContainEqual({
      '@type': 'dpv:PersonalData',
      'dct:title': 'e-mail address',
    });
    expect(byId('newsletter')['dpv:hasRecipient']).toContainEqual({
      '@type': 'dpv:Recipient',
      'dct:title': 'e-mail delivery provider',
    });
    expect(byId('order-fulfilment')['dpv:hasStorageCondition']).toContainEqual(
      expect.objectContaining({
        '@type': 'dpv:StorageDuration',
        'dpv:hasDuration': { '@type': 'dpv:Duration', 'rdf:value': 'P5Y' },
      }),
    );
    expect(byId('order-fulfilment')['dpv:hasPurpose']).toMatchObject({ '@type': 'dpv:Purpose' });
  });

  it('a purpose missing mandatory fields is listed in the gaps and its cells say what is missing', async () => {
    const created = await t.request('POST', '/v1/purposes', {
      key: 'loyalty-card',
      name: 'Karta lojalnościowa',
      legalBasis: 'contract',
      dataCategories: ['card number'],
      subjectCategories: [],
      recipients: [],
      processors: [],
      transfers: [],
      channels: [],
    });
    expect(created.status).toBe(201);
    const r = await register();
    const gaps = r.gaps.filter((g: any) => g.activity === 'loyalty-card').map((g: any) => [g.column, g.severity]);
    expect(gaps).toEqual(
      expect.arrayContaining([
        ['purpose', 'mandatory'],
        ['subjects', 'mandatory'],
        ['erasure', 'mandatory'],
      ]),
    );
    const row = activity(r, 'loyalty-card').row;
    expect(row.purpose).toBe('BRAK: opis celu');
    expect(row.erasure).toBe('BRAK: brak egzekwowanej polityki retencji');
    expect(row.recipients).toBe('Brak odbiorców');
    const en = await register('?lang=en');
    expect(en.gaps.find((g: any) => g.activity === 'loyalty-card' && g.column === 'subjects').header).toBe(
      'Categories of data subjects',
    );
  });

  it('sign-off stores a version; a retention change after it shows in the diff, attributed, and in the register', async () => {
    const dpo = await t.request('POST', '/v1/api-keys', { name: 'dpo', scopes: ['register:read', 'register:write'] });
    const reader = await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['register:read'] });
    const editor = await t.request('POST', '/v1/api-keys', { name: 'editor', scopes: ['retention:manage'] });

    expect((await t.request('POST', '/v1/register/sign-off', {}, { key: reader.body.key })).status).toBe(403);
    const signed = await t.request('POST', '/v1/register/sign-off', { note: 'przegląd roczny' }, { key: dpo.body.key });
    expect(signed.status).toBe(201);
    expect(signed.body).toMatchObject({ role: 'controller', version: 1, signedOffBy: `api_key:${dpo.body.id}` });
    expect(signed.body.sha256).toMatch(/^[0-9a-f]{64}$/);

    const clean = await t.request('GET', '/v1/register/changes');
    expect(clean.body).toMatchObject({ changed: false, added: [], removed: [], changes: [], since: { version: 1 } });
    expect((await register()).version).toMatchObject({ signedOffVersion: 1, changedSinceSignOff: false });

    const patched = await t.request(
      'PATCH',
      '/v1/retention/policies/accounting-records',
      { period: 'P6Y' },
      { key: editor.body.key },
    );
    expect(patched.status).toBe(200);

    const diff = await t.request('GET', '/v1/register/changes');
    expect(diff.body.changed).toBe(true);
    const change = diff.body.changes.find((c: any) => c.key === 'order-fulfilment');
    const field = change.fields.find((f: any) => f.field === 'erasure');
    expect(field.header).toBe('Planowany termin usunięcia kategorii danych');
    expect(field.old).toContain('accounting_records: 5 lat od końca roku');
    expect(field.new).toContain('accounting_records: 6 lat od końca roku');
    expect(change.changedBy).toEqual([
      expect.objectContaining({
        action: 'retention.policy_updated',
        by: `api_key:${editor.body.id}`,
        targetType: 'retention_policy',
        fields: ['period'],
      }),
    ]);
    expect(Date.parse(change.changedBy[0].at)).toBeGreaterThanOrEqual(Date.parse(signed.body.signedOffAt));
    // Only the activity built on that policy changed.
    expect(diff.body.changes.map((c: any) => c.key)).toEqual(['order-fulfilment']);

    const now = await register();
    expect(activity(now, 'order-fulfilment').row.erasure).toContain('6 lat od końca roku, w którym');
    expect(now.version).toMatchObject({
      signedOffVersion: 1,
      changedSinceSignOff: true,
      lastUpdatedBy: `api_key:${editor.body.id}`,
    });

    const again = await t.request('POST', '/v1/register/sign-off', {}, { key: dpo.body.key });
    expect(again.body.version).toBe(2);
    expect((await t.request('GET', '/v1/register/changes')).body.changed).toBe(false);
    const versions = await t.request('GET', '/v1/register/versions');
    expect(versions.body.items.map((v: any) => v.version)).toEqual([2, 1]);
    const audit = await t.request('GET', '/v1/audit?action=register.signed_off');
    expect(audit.body.items.map((e: any) => e.data)).toEqual([
      { role: 'controller', version: 2 },
      { role: 'controller', version: 1 },
    ]);
  });

  it('controller settings fall back to the environment, are audited by field name, and show in the diff', async () => {
    const before = await t.request('GET', '/v1/settings/controller');
    expect(before.body).toMatchObject({ name: CONTROLLER_NAME, address: 'ul. Długa 1, 31-000 Kraków' });
    expect(before.body.defaults).toEqual(expect.arrayContaining(['name', 'securityMeasures.pl']));

    const put = await t.request('PUT', '/v1/settings/controller', {
      address: 'ul. Długa 1, 31-000 Kraków',
      contact: 'biuro@example.com, +48 12 000 00 00',
      dpo: { name: 'Inspektor Ochrony Danych', contact: 'iod@example.com' },
      jointControllers: [{ name: 'Sieć Optyków S.A.', contact: 'wspolny@example.com', purposes: ['newsletter'] }],
      securityMeasures: { pl: 'Szyfrowanie, kontrola dostępu, szkolenia personelu.' },
    });
    expect(put.status).toBe(200);
    expect(put.body.securityMeasures.pl).toBe('Szyfrowanie, kontrola dostępu, szkolenia personelu.');
    expect(put.body.securityMeasures.en).toContain('AES-256-GCM');

    const audit = await t.request('GET', '/v1/audit?action=register.controller_updated');
    const last = audit.body.items[0];
    expect(last.data.fields.sort()).toEqual(['jointControllers', 'securityMeasuresPl']);
    expect(JSON.stringify(audit.body)).not.toContain('example.com');

    const r = await register();
    expect(activity(r, 'newsletter').row.jointControllers).toBe('Sieć Optyków S.A. (wspolny@example.com)');
    expect(activity(r, 'order-fulfilment').row.jointControllers).toBe('Nie dotyczy');
    const diff = await t.request('GET', '/v1/register/changes');
    const newsletter = diff.body.changes.find((c: any) => c.key === 'newsletter');
    expect(newsletter.fields.map((f: any) => f.field).sort()).toEqual(['jointControllers', 'security']);
    expect(newsletter.changedBy.map((e: any) => e.action)).toEqual(['register.controller_updated']);

    for (const bad of [{ dpo: { nickname: 'x' } }, { jointControllers: [{ contact: 'no name' }] }, { unknown: 1 }]) {
      const res = await t.request('PUT', '/v1/settings/controller', bad);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('validation_failed');
    }
  });

  it('activity details fill the UODO columns the purposes do not hold', async () => {
    const res = await t.request('PUT', '/v1/register/activities/eye-exam-records', {
      organisationalUnit: 'Gabinet optometryczny',
      dataSource: 'od pacjenta',
      dpiaReference: 'DPIA-2025-01',
    });
    expect(res.status).toBe(200);
    const r = await register();
    expect(activity(r, 'eye-exam-records').row).toMatchObject({
      unit: 'Gabinet optometryczny',
      source: 'od pacjenta',
      dpia: 'DPIA-2025-01',
    });
    expect(r.gaps.find((g: any) => g.activity === 'eye-exam-records')).toBeUndefined();
    expect((await t.request('PUT', '/v1/register/activities/no-such-purpose', {})).status).toBe(404);
  });

  it('processor register (Art. 30(2)): one row per controller served, in every format', async () => {
    const empty = await register('?role=processor');
    expect(empty.gaps).toContainEqual(
      expect.objectContaining({ activity: null, column: 'controller', severity: 'mandatory' }),
    );

    const current = (await t.request('GET', '/v1/settings/controller')).body;
    const put = await t.request('PUT', '/v1/settings/controller', {
      address: current.address,
      contact: current.contact,
      dpo: current.dpo,
      processorClients: [
        {
          name: 'Sklep Partnerski sp. z o.o.',
          contact: 'sklep@example.com',
          dpo: { name: 'IOD Sklepu', contact: 'iod-sklep@example.com' },
          purposes: ['newsletter', 'sms-promotions'],
        },
      ],
    });
    expect(put.status).toBe(200);
    const r = await register('?role=processor');
    expect(r.title).toBe('Rejestr wszystkich kategorii czynności przetwarzania');
    expect(r.columns.map((c: any) => c.header)).toEqual([
      'Lp.',
      'Nazwa administratora i dane kontaktowe',
      'Przedstawiciel administratora i dane kontaktowe',
      'Inspektor ochrony danych administratora',
      'Kategorie przetwarzań dokonywanych w imieniu administratora',
      'Nazwa systemu lub oprogramowania',
      'Transfer do państwa trzeciego lub organizacji międzynarodowej',
      'Ogólny opis technicznych i organizacyjnych środków bezpieczeństwa',
    ]);
    expect(r.activities).toHaveLength(1);
    expect(r.activities[0].row).toMatchObject({
      controller: 'Sklep Partnerski sp. z o.o. (sklep@example.com)',
      controllerDpo: 'IOD Sklepu (iod-sklep@example.com)',
    });
    expect(r.activities[0].row.categories).toContain('Newsletter: ');
    expect(r.gaps.filter((g: any) => g.severity === 'mandatory')).toEqual([]);
    for (const format of ['xlsx', 'csv', 'pdf', 'html', 'jsonld']) {
      const res = await download(t, `/v1/register?role=processor&format=${format}`);
      expect([format, res.status]).toEqual([format, 200]);
    }
    const signed = await t.request('POST', '/v1/register/sign-off', { role: 'processor' });
    expect(signed.body).toMatchObject({ role: 'processor', version: 1 });
  });
});
