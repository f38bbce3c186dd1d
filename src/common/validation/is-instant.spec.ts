import { isInstant } from './is-instant';

describe('isInstant', () => {
  it('takes date-times with Z or an offset', () => {
    for (const v of [
      '2026-01-31T23:30:00Z',
      '2026-01-31T23:30:00+01:00',
      '2026-01-31T23:30:00.123-05:30',
      '2026-01-31T23:30Z',
    ])
      expect(isInstant(v)).toBe(true);
  });

  it('refuses a time without a zone, a bare date, impossible dates and non-strings', () => {
    for (const v of [
      '2026-01-31T23:30:00',
      '2026-01-31',
      '2026-02-30T10:00:00Z',
      '2026-13-01T10:00:00Z',
      'yesterday',
      1,
      null,
    ])
      expect(isInstant(v)).toBe(false);
  });
});
