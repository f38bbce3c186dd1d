import { ProblemError } from '../common/problem/problem.error';
import { minorUntil, normaliseIdentifiers, parseBirthDate, parseLocale } from './subject-rules';
import { keptCategories, keptUntil } from './hold-rules';

function problem(fn: () => unknown): ProblemError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('expected a ProblemError');
}

describe('minorUntil (Art. 8(1): 16 in Poland)', () => {
  it.each([
    ['2015-06-10', '2026-01-01', '2031-06-10'],
    ['2010-06-10', '2026-06-09', '2026-06-10'],
    // Art. 112 KC: the age is reached at the start of the birthday, so on it the person is no longer a minor.
    ['2010-06-10', '2026-06-10', null],
    ['1990-05-17', '2026-01-01', null],
    ['2012-02-29', '2026-01-01', '2028-02-29'],
    ['2011-02-28', '2026-01-01', '2027-02-28'],
    ['2016-02-29', '2026-01-01', '2032-02-29'],
    ['2009-02-28', '2025-02-27', '2025-02-28'],
  ])('born %s, today %s → %s', (birth, today, expected) => {
    expect(minorUntil(birth, today)).toBe(expected);
  });

  it('ends on 28 February when a 29 February birthday falls in a common year', () => {
    // 16 years after a leap year is a leap year, except across a century: 2100 is a common year.
    expect(minorUntil('2084-02-29', '2090-01-01')).toBe('2100-02-28');
    expect(minorUntil('2012-02-29', '2027-06-01')).toBe('2028-02-29');
  });
});

describe('parseBirthDate', () => {
  it.each(['1990-05-17', '2000-02-29', '1900-01-01', '2026-03-01'])('accepts %s', (d) => {
    expect(parseBirthDate(d, '2026-03-01')).toBe(d);
  });

  it.each(['2026-03-02', '2001-02-29', '2001-02-30', '1990-13-01', '1990-5-17', '17.05.1990', '1899-12-31', ''])(
    'refuses %s naming birthDate',
    (d) => {
      const e = problem(() => parseBirthDate(d, '2026-03-01'));
      expect(e.code).toBe('validation_failed');
      expect(e.extras.errors).toEqual([{ field: 'birthDate', message: expect.any(String) }]);
      if (d) expect(JSON.stringify(e)).not.toContain(d);
    },
  );
});

describe('normaliseIdentifiers', () => {
  it('normalises every identifier given, with its field and kind', () => {
    expect(
      normaliseIdentifiers({
        email: ' Jan@Example.COM ',
        phone: '600 100 200',
        externalId: ' C-1 ',
        externalSystem: 'shop',
      }),
    ).toEqual([
      { field: 'email', kind: 'email', value: 'jan@example.com', systemKey: '' },
      { field: 'phone', kind: 'phone', value: '+48600100200', systemKey: '' },
      { field: 'externalId', kind: 'external_id', value: 'C-1', systemKey: 'shop' },
    ]);
    expect(normaliseIdentifiers({})).toEqual([]);
    expect(normaliseIdentifiers({ email: null, externalId: 'X' })).toEqual([
      { field: 'externalId', kind: 'external_id', value: 'X', systemKey: '' },
    ]);
  });

  it('reports every invalid identifier at once, by field and rule, never by value', () => {
    const e = problem(() => normaliseIdentifiers({ email: 'jan.kowalski(at)example.com', phone: '+48 999 000 111' }));
    expect(e.code).toBe('invalid_identifier');
    expect(e.extras.errors!.map((x) => x.field)).toEqual(['email', 'phone']);
    expect(JSON.stringify(e)).not.toMatch(/kowalski|999/);
  });

  it('wants a system key only with an external id', () => {
    expect(
      problem(() => normaliseIdentifiers({ email: 'a@example.com', externalSystem: 'shop' })).extras.errors,
    ).toEqual([{ field: 'externalSystem', message: expect.any(String) }]);
    expect(
      problem(() => normaliseIdentifiers({ externalId: 'X', externalSystem: 'Shop DB' })).extras.errors![0].field,
    ).toBe('externalSystem');
    expect(normaliseIdentifiers({ externalSystem: 'shop', externalSystemOnly: true })).toEqual([]);
  });
});

describe('parseLocale', () => {
  it('knows pl and en only', () => {
    expect(parseLocale('pl')).toBe('pl');
    expect(parseLocale('en')).toBe('en');
    expect(problem(() => parseLocale('de')).extras.errors![0].field).toBe('locale');
  });
});

describe('keptCategories', () => {
  const until = (d: string) => new Date(d);
  it('keeps only the named categories a system holds; a hold naming none keeps them all', () => {
    const named = [{ legalBasis: 'legal_claims' as const, categories: ['invoices', 'x'], endsAt: null }];
    expect(keptCategories(named, ['email', 'invoices']).map((k) => k.category)).toEqual(['invoices']);
    expect(keptCategories(named, ['email'])).toEqual([]);
    const all = [{ legalBasis: 'legal_obligation' as const, categories: [], endsAt: until('2030-01-01T00:00:00Z') }];
    expect(keptCategories(all, ['email', 'invoices']).map((k) => k.category)).toEqual(['email', 'invoices']);
  });

  it('lets the longer hold decide a category two holds keep, an open-ended one the longest', () => {
    const short = {
      legalBasis: 'legal_obligation' as const,
      categories: ['invoices'],
      endsAt: until('2027-01-01T00:00:00Z'),
    };
    const long = {
      legalBasis: 'legal_claims' as const,
      categories: ['invoices'],
      endsAt: until('2031-01-01T00:00:00Z'),
    };
    const open = { legalBasis: 'archiving_research' as const, categories: ['invoices'], endsAt: null };
    expect(keptCategories([short, long], ['invoices'])[0]).toMatchObject({ legalBasis: 'legal_claims' });
    expect(keptCategories([long, short], ['invoices'])[0]).toMatchObject({ legalBasis: 'legal_claims' });
    expect(keptCategories([long, open, short], ['invoices'])[0]).toMatchObject({
      legalBasis: 'archiving_research',
      until: null,
    });
    expect(keptUntil(keptCategories([short, long], ['invoices']))).toEqual(until('2031-01-01T00:00:00Z'));
    expect(keptUntil(keptCategories([short, open], ['invoices']))).toBeNull();
    expect(keptUntil([])).toBeNull();
  });
});
