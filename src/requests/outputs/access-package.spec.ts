import { buildPackage, dataJson, PackageInput, packageData, renderReport } from './access-package';

const input = (over: Partial<PackageInput> = {}): PackageInput => ({
  kind: 'access',
  locale: 'pl',
  exportedAt: new Date('2026-03-09T10:00:00Z'),
  controller: { name: 'Optyk Wzorcowy sp. z o.o.', dpoName: 'IOD', dpoEmail: 'iod@example.com' },
  request: { id: 'c0a8012e-7f00-4b1a-9c3e-5d2f6a7b8c9d', receivedAt: new Date('2026-03-02T09:15:00Z') },
  subjectId: '5d2f6a7b-7f00-4b1a-9c3e-c0a8012e8c9d',
  purposes: [
    {
      key: 'newsletter',
      name: 'Newsletter',
      description: 'Oferty salonu',
      legalBasis: 'consent',
      dataCategories: ['email'],
      recipients: ['dostawca poczty'],
      processors: [],
      transfers: [],
      retention: ['3 lata od wycofania zgody'],
      automatedDecisions: null,
    },
    {
      key: 'care',
      name: 'Opieka okulistyczna',
      description: null,
      legalBasis: 'legal_obligation',
      dataCategories: ['health'],
      recipients: ['laboratorium soczewek'],
      processors: [],
      transfers: [],
      retention: [],
      automatedDecisions: 'Przypomnienia o badaniu wybiera program według daty ostatniego badania.',
    },
    {
      key: 'profiling',
      name: 'Profilowanie ofert',
      description: null,
      legalBasis: 'legitimate_interests',
      dataCategories: ['purchase_history'],
      recipients: ['agencja reklamowa'],
      processors: [],
      transfers: ['USA (standard contractual clauses)'],
      retention: ['2 lata'],
      automatedDecisions: 'Oferty dobiera algorytm.',
    },
  ],
  systems: [
    {
      key: 'zgoda',
      name: 'Zgoda',
      status: 'done',
      retainedReason: null,
      retainedUntil: null,
      dataCategories: ['email', 'consent_records'],
      purposes: [],
      found: true,
      processor: null,
      data: {
        identifiers: [{ kind: 'email', value: 'anna@example.com' }],
        profile: [{ firstName: 'Anna', objectedPurposes: '' }],
        consent_history: [
          {
            purpose: 'newsletter',
            channel: 'email',
            decision: 'granted',
            version: 1,
            recordedAt: '2026-01-02T10:00:00Z',
            sourceMethod: 'store',
            title: 'Newsletter salonu',
            text: 'Zgadzam się na newsletter Optyk Wzorcowy sp. z o.o.',
          },
        ],
        consent_receipts: [
          { consentId: 'a1b2c3d4-0000-4000-8000-000000000001', receipt: 'eyJhbGciOiJFZERTQSJ9.e30.sig' },
        ],
        requests: [{ id: 'x', type: 'access' }],
      },
    },
    {
      key: 'medical',
      name: 'Kartoteka',
      status: 'retained',
      retainedReason: 'dokumentacja medyczna, 20 lat',
      retainedUntil: new Date('2046-12-31T00:00:00Z'),
      dataCategories: ['health'],
      purposes: ['care'],
      found: true,
      processor: { name: 'Host sp. z o.o.', country: 'PL', safeguards: null },
      data: null,
    },
  ],
  ...over,
});

describe('access and portability package', () => {
  it('has every Art. 15 item in the report, in Polish and in English', () => {
    const pl = renderReport(input(), packageData(input()));
    for (const text of [
      'Cele przetwarzania',
      'zgoda (art. 6 ust. 1 lit. a RODO)',
      'Kategorie przetwarzanych danych',
      'Odbiorcy',
      'Host sp. z o.o.',
      'Jak długo',
      '3 lata od wycofania zgody',
      'sprostowania (art. 16)',
      'Prezesa Urzędu Ochrony Danych Osobowych, ul. Stawki 2',
      'Źródło danych',
      'salon',
      'Zautomatyzowane podejmowanie decyzji',
      'Historia zgód',
      'anna@example.com',
      'dokumentacja medyczna, 20 lat',
    ]) {
      expect(pl).toContain(text);
    }
    const en = renderReport(input({ locale: 'en' }), packageData(input()));
    expect(en).toContain('Automated decision-making');
    expect(en).toContain('consent (Art. 6(1)(a) GDPR)');
  });

  it('is about this subject only, in words: enforced retention, sources, recipients, ADM, the text agreed to', () => {
    const pl = renderReport(input(), packageData(input()));
    // Their purposes: a consent decision (newsletter) and a system holding their data for a purpose (care).
    expect(pl).toContain('Opieka okulistyczna');
    expect(pl).not.toContain('Profilowanie ofert');
    expect(pl).not.toContain('agencja reklamowa');
    expect(pl).not.toContain('USA (standard contractual clauses)');
    expect(pl).toContain('laboratorium soczewek');
    // No enforced policy is said so, not papered over with a general sentence.
    expect(pl).toContain('Nie ustaliliśmy jeszcze okresu przechowywania dla tego celu');
    expect(pl).toContain('Przypomnienia o badaniu wybiera program');
    expect(pl).not.toContain('Oferty dobiera algorytm');
    expect(pl).toContain('Zgadzam się na newsletter Optyk Wzorcowy sp. z o.o.');
    expect(pl).toContain('zgoda udzielona');
    expect(pl).toContain('<th>Imię</th>');
    expect(pl).toContain('od Ciebie (salon)');
    expect(pl).toContain('zebrane przez nas w systemie Kartoteka');
    expect(pl).toContain('receipts/');
    for (const raw of ['>granted<', '>firstName<', '>consent_history<', '>store<', '>email<']) {
      expect(pl).not.toContain(raw);
    }
    const en = renderReport(input({ locale: 'en' }), packageData(input()));
    expect(en).toContain('No retention period has been set for this purpose yet');
    expect(en).toContain('<th>First name</th>');
    expect(en).toContain('Consent history');
  });

  it('escapes what systems send', () => {
    const hostile = input();
    hostile.systems[0].data = { notes: [{ text: '<script>alert(1)</script>' }] };
    expect(renderReport(hostile, packageData(hostile))).not.toContain('<script>alert');
  });

  it('leaves Zgoda’s own request records out of a portability package (LEGAL item 18)', () => {
    const p = input({ kind: 'portability' });
    const json = dataJson(p, packageData(p));
    expect(Object.keys(json.systems[0].data)).toEqual([
      'identifiers',
      'profile',
      'consent_history',
      'consent_receipts',
    ]);
    expect(json).toMatchObject({ schemaVersion: '1.0', kind: 'portability', exportedAt: '2026-03-09T10:00:00.000Z' });
  });

  it('builds a ZIP', async () => {
    const zip = await buildPackage(input());
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    const names = zip.toString('latin1');
    for (const n of [
      'data.json',
      'schema.json',
      'report.html',
      'csv/zgoda/identifiers.csv',
      'csv/zgoda/consent_history.csv',
      'receipts/a1b2c3d4-0000-4000-8000-000000000001.jws',
    ]) {
      expect(names).toContain(n);
    }
    expect(names).not.toContain('csv/medical');
  });
});
