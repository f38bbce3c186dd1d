import type { HelperOptions } from 'handlebars';
import { dateHelper, pluralHelper, REQUEST_TYPE_STRINGS, requestTypeHelper } from './helpers';

const opts = (locale: string, hash: Record<string, string> = {}) =>
  ({ data: { root: { locale } }, hash }) as unknown as HelperOptions;

describe('template helpers', () => {
  it('formats dates in Warsaw, so a UTC instant late in the evening is the next day there', () => {
    expect(dateHelper('2026-03-15T23:30:00Z', opts('pl'))).toBe('16 marca 2026');
    expect(dateHelper('2026-07-31T21:59:59Z', opts('en'))).toBe('31 July 2026');
    expect(dateHelper('2026-04-02', opts('pl'))).toBe('2 kwietnia 2026');
    expect(dateHelper(new Date('2026-12-24T12:00:00Z'), opts('en'))).toBe('24 December 2026');
    expect(() => dateHelper('not a date', opts('pl'))).toThrow();
    expect(() => dateHelper(null, opts('pl'))).toThrow();
  });

  it('chooses Polish plural forms by the CLDR rules (1, 2-4, 5-21, 22-24, 112, fractions)', () => {
    const forms = { one: 'minutę', few: 'minuty', many: 'minut', other: 'minuty' };
    const pl = (n: number) => pluralHelper(n, opts('pl', forms));
    expect([1, 2, 4, 5, 11, 12, 14, 21, 22, 24, 25, 112, 0, 1.5].map(pl)).toEqual([
      'minutę',
      'minuty',
      'minuty',
      'minut',
      'minut',
      'minut',
      'minut',
      'minut',
      'minuty',
      'minuty',
      'minut',
      'minut',
      'minut',
      'minuty',
    ]);
    const en = (n: number) => pluralHelper(n, opts('en', { one: 'minute', other: 'minutes' }));
    expect([1, 2, 0].map(en)).toEqual(['minute', 'minutes', 'minutes']);
    expect(() => pluralHelper(5, opts('pl', { one: 'minutę' }))).toThrow(/"many"/);
  });

  it('labels every request type of LEGAL.md 12 in both languages, and refuses others', () => {
    expect(Object.keys(REQUEST_TYPE_STRINGS.en).sort()).toEqual(
      ['access', 'erasure', 'objection', 'portability', 'rectification', 'restriction'].sort(),
    );
    expect(requestTypeHelper('erasure', opts('pl'))).toBe('usunięcie danych (art. 17 RODO)');
    expect(requestTypeHelper('portability', opts('en'))).toBe('data portability (Art. 20 GDPR)');
    expect(() => requestTypeHelper('deletion', opts('pl'))).toThrow(/unknown request type/);
    expect(() => requestTypeHelper('access', opts('de'))).toThrow(/locale/);
  });
});
