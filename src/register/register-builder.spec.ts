import { Channel, LegalBasis, SpecialCategoryBasis } from '../consent/consent.types';
import type { Purpose } from '../consent/purpose.entity';
import type { RetentionPolicy } from '../retention/retention-policy.entity';
import type { System } from '../systems/system.entity';
import { buildRegister, RegisterInput } from './register-builder';
import { diffRegisters, isEmptyDiff } from './register-diff';
import { DEFAULT_SECURITY_MEASURES } from './register-words';
import type { RegisterActivity } from './register.types';

const purpose = (over: Partial<Purpose>): Purpose =>
  ({
    id: 'p',
    key: 'orders',
    name: 'Orders',
    description: 'Selling glasses.',
    legalBasis: LegalBasis.Contract,
    specialCategoryBasis: null,
    dataCategories: ['name'],
    subjectCategories: ['customers'],
    recipients: ['courier'],
    processors: [],
    transfers: [],
    channels: [Channel.Email],
    retention: null,
    ...over,
  }) as Purpose;

const system = (over: Partial<System>): System =>
  ({
    id: 'sys-1',
    key: 'books',
    name: 'Books',
    dataCategories: ['accounting_records'],
    purposes: ['orders'],
    processorName: null,
    processorContact: null,
    processorCountry: null,
    transferSafeguards: null,
    active: true,
    ...over,
  }) as System;

const policy = (over: Partial<RetentionPolicy>): RetentionPolicy =>
  ({
    id: 'pol-1',
    key: 'books',
    dataCategory: 'accounting_records',
    purposeKey: null,
    systemKey: null,
    trigger: 'end_of_year_after_last_entry',
    period: 'P5Y',
    roundToYearEnd: false,
    action: 'review',
    legalBasis: 'art. 74 ust. 2 uor',
    active: true,
    ...over,
  }) as RetentionPolicy;

const input = (over: Partial<RegisterInput>): RegisterInput => ({
  role: 'controller',
  lang: 'pl',
  purposes: [purpose({})],
  systems: [system({})],
  policies: [policy({})],
  details: new Map(),
  controller: {
    name: 'Optyk',
    address: 'Kraków',
    contact: 'biuro@example.com',
    dpo: { name: 'IOD', contact: 'iod@example.com' },
    representative: null,
    jointControllers: [],
    processorClients: [],
    securityMeasures: DEFAULT_SECURITY_MEASURES,
    defaults: [],
    updatedAt: null,
    updatedBy: null,
  },
  version: {
    signedOffVersion: null,
    signedOffAt: null,
    signedOffBy: null,
    lastUpdatedAt: null,
    lastUpdatedBy: null,
    changedSinceSignOff: true,
  },
  now: new Date('2030-01-01T00:00:00Z'),
  ...over,
});

const only = (r: ReturnType<typeof buildRegister>) => r.activities[0] as RegisterActivity;

describe('buildRegister', () => {
  it('takes planned erasure from the policies on the categories of the systems that hold the purpose', () => {
    const r = buildRegister(input({}));
    expect(only(r).row.erasure).toBe(
      '5 lat od końca roku, w którym dokonano ostatniego wpisu – przegląd i zniszczenie (art. 74 ust. 2 uor)',
    );
    expect(r.gaps).toEqual([]);
  });

  it('ignores inactive-looking links: another purpose, another system, proof of consent for a contract', () => {
    const r = buildRegister(
      input({
        policies: [
          policy({ id: 'a', purposeKey: 'other', dataCategory: null }),
          policy({ id: 'b', systemKey: 'crm' }),
          policy({ id: 'c', dataCategory: 'consent_records' }),
        ],
        systems: [system({ dataCategories: ['accounting_records', 'consent_records'] })],
      }),
    );
    expect(only(r).plannedErasure).toEqual([]);
    expect(r.gaps).toEqual([expect.objectContaining({ activity: 'orders', column: 'erasure', severity: 'mandatory' })]);
    expect(only(r).row.erasure).toBe('BRAK: brak egzekwowanej polityki retencji');
  });

  it('links Zgoda to consent purposes for the proof of consent only', () => {
    const zgoda = system({
      id: 'z',
      key: 'zgoda',
      name: 'Zgoda',
      purposes: [],
      dataCategories: ['email', 'consent_records', 'request_records'],
    });
    const r = buildRegister(
      input({
        purposes: [purpose({ key: 'news', legalBasis: LegalBasis.Consent, dataCategories: ['e-mail address'] })],
        systems: [zgoda],
        policies: [
          policy({
            id: 'c',
            key: 'proof',
            dataCategory: 'consent_records',
            trigger: 'consent_withdrawn',
            period: 'P3Y',
          }),
          policy({ id: 'r', dataCategory: 'request_records' }),
        ],
      }),
    );
    expect(only(r).row.systems).toBe('Zgoda');
    expect(only(r).plannedErasure.map((e) => e.policyKey)).toEqual(['proof']);
  });

  it('reports every missing mandatory field as a gap and never leaves the cell blank', () => {
    const r = buildRegister(
      input({
        purposes: [purpose({ description: null, subjectCategories: [], dataCategories: [] })],
        policies: [],
        controller: { ...input({}).controller, address: null, contact: null },
        lang: 'en',
      }),
    );
    expect(r.gaps.map((g) => [g.activity, g.column])).toEqual([
      [null, 'controller'],
      ['orders', 'erasure'],
      ['orders', 'purpose'],
      ['orders', 'subjects'],
      ['orders', 'data'],
    ]);
    for (const c of r.columns.filter((c) => c.mandatory)) expect(only(r).row[c.key]).not.toBe('');
  });

  it('lists a transfer outside the EEA and flags one without safeguards', () => {
    const r = buildRegister(
      input({
        systems: [system({ processorName: 'Cloud Inc.', processorContact: 'dpo@cloud.test', processorCountry: 'US' })],
      }),
    );
    expect(only(r).row.transfers).toBe('Cloud Inc. (US)');
    expect(only(r).row.processors).toBe('Cloud Inc. (dpo@cloud.test)');
    expect(r.gaps).toEqual([expect.objectContaining({ column: 'transfers', severity: 'mandatory' })]);
    const safe = buildRegister(
      input({
        systems: [system({ processorName: 'Cloud Inc.', processorCountry: 'US', transferSafeguards: 'SCC 2021/914' })],
      }),
    );
    expect(only(safe).row.transferDocumentation).toBe('SCC 2021/914');
    expect(safe.gaps).toEqual([]);
  });

  it('recommends a DPIA reference for special-category data', () => {
    const r = buildRegister(input({ purposes: [purpose({ specialCategoryBasis: SpecialCategoryBasis.HealthCare })] }));
    expect(r.gaps).toEqual([expect.objectContaining({ column: 'dpia', severity: 'recommended' })]);
    expect(only(r).row.data).toBe('name; dane szczególnej kategorii (art. 9 RODO)');
  });
});

describe('diffRegisters', () => {
  it('reports added, removed and changed activities cell by cell, with old and new values', () => {
    const before = buildRegister(input({ purposes: [purpose({}), purpose({ key: 'gone', name: 'Gone' })] }));
    const after = buildRegister(
      input({
        purposes: [purpose({ description: 'Selling lenses.' }), purpose({ key: 'new', name: 'New' })],
        policies: [policy({ period: 'P6Y' })],
      }),
    );
    const d = diffRegisters(before, after);
    expect(d.added.map((a) => a.key)).toEqual(['new']);
    expect(d.removed.map((a) => a.key)).toEqual(['gone']);
    expect(d.changed).toEqual([
      {
        key: 'orders',
        name: 'Orders',
        fields: [
          { field: 'purpose', header: 'Cel przetwarzania', old: 'Selling glasses.', new: 'Selling lenses.' },
          expect.objectContaining({
            field: 'erasure',
            old: expect.stringMatching(/^5 lat/),
            new: expect.stringMatching(/^6 lat/),
          }),
        ],
      },
    ]);
    expect(
      isEmptyDiff(diffRegisters(after, buildRegister(input({ purposes: after.activities.map(() => purpose({})) })))),
    ).toBe(false);
    expect(
      isEmptyDiff(
        diffRegisters(
          before,
          buildRegister(input({ purposes: [purpose({}), purpose({ key: 'gone', name: 'Gone' })], now: new Date() })),
        ),
      ),
    ).toBe(true);
  });

  it('without a sign-off everything is added', () => {
    const d = diffRegisters(null, buildRegister(input({})));
    expect(d.added.map((a) => a.key)).toEqual(['orders']);
    expect(d.controller).toEqual([]);
  });
});
