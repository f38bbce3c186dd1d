import { easterSunday, findPolishPublicHoliday, isPolishPublicHoliday, polishPublicHolidays } from './polish-holidays';

describe('easterSunday', () => {
  // Published Gregorian Easter dates (including the earliest and latest possible, 22 March and 25 April).
  it.each([
    [2011, '2011-04-24'],
    [2018, '2018-04-01'],
    [2019, '2019-04-21'],
    [2020, '2020-04-12'],
    [2021, '2021-04-04'],
    [2022, '2022-04-17'],
    [2023, '2023-04-09'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2029, '2029-04-01'],
    [2030, '2030-04-21'],
    [2038, '2038-04-25'],
    [2100, '2100-03-28'],
    [2285, '2285-03-22'],
    [1818, '1818-03-22'],
  ])('%i -> %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });

  it.each([1582, 2024.5, 10000, Number.NaN])('refuses %p (outside the Gregorian algorithm)', (year) => {
    expect(() => easterSunday(year)).toThrow(RangeError);
  });
});

describe('polishPublicHolidays', () => {
  it('lists the 13 days off of 2024, in date order (Christmas Eve not yet a holiday)', () => {
    expect(polishPublicHolidays(2024).map((h) => [h.date, h.name])).toEqual([
      ['2024-01-01', "New Year's Day"],
      ['2024-01-06', 'Epiphany'],
      ['2024-03-31', 'Easter Sunday'],
      ['2024-04-01', 'Easter Monday'],
      ['2024-05-01', 'Labour Day'],
      ['2024-05-03', 'Constitution Day'],
      ['2024-05-19', 'Pentecost Sunday'],
      ['2024-05-30', 'Corpus Christi'],
      ['2024-08-15', 'Assumption of Mary'],
      ['2024-11-01', "All Saints' Day"],
      ['2024-11-11', 'Independence Day'],
      ['2024-12-25', 'Christmas Day'],
      ['2024-12-26', 'Second Day of Christmas'],
    ]);
  });

  it('lists the 14 days off of 2025, Christmas Eve included', () => {
    expect(polishPublicHolidays(2025).map((h) => h.date)).toEqual([
      '2025-01-01',
      '2025-01-06',
      '2025-04-20',
      '2025-04-21',
      '2025-05-01',
      '2025-05-03',
      '2025-06-08',
      '2025-06-19',
      '2025-08-15',
      '2025-11-01',
      '2025-11-11',
      '2025-12-24',
      '2025-12-25',
      '2025-12-26',
    ]);
  });

  // Movable feasts: Easter Monday = Easter + 1, Pentecost = Easter + 49 (a Sunday), Corpus Christi =
  // Easter + 60 (a Thursday).
  it.each([
    [2026, '2026-04-06', '2026-05-24', '2026-06-04'],
    [2027, '2027-03-29', '2027-05-16', '2027-05-27'],
    [2038, '2038-04-26', '2038-06-13', '2038-06-24'],
  ])('%i: Easter Monday %s, Pentecost %s, Corpus Christi %s', (year, monday, pentecost, corpus) => {
    const byName = new Map(polishPublicHolidays(year).map((h) => [h.name, h.date]));
    expect(byName.get('Easter Monday')).toBe(monday);
    expect(byName.get('Pentecost Sunday')).toBe(pentecost);
    expect(byName.get('Corpus Christi')).toBe(corpus);
  });

  it('gives every holiday a Polish name', () => {
    const holidays = polishPublicHolidays(2026);
    expect(holidays).toHaveLength(14);
    for (const holiday of holidays) {
      expect(holiday.namePl).toMatch(/\S/);
    }
    expect(holidays.find((h) => h.date === '2026-12-24')?.namePl).toBe('Wigilia Bożego Narodzenia');
  });

  it('returns a fresh list each time, so a caller cannot corrupt the calendar', () => {
    polishPublicHolidays(2026).pop();
    expect(polishPublicHolidays(2026)).toHaveLength(14);
  });

  it.each([2010, 2026.5, 10000])('refuses year %p (list unknown or invalid)', (year) => {
    expect(() => polishPublicHolidays(year)).toThrow(RangeError);
  });
});

describe('isPolishPublicHoliday', () => {
  it.each([
    ['2025-01-01', true],
    ['2025-01-06', true],
    ['2025-01-07', false],
    ['2026-04-05', true], // Easter Sunday
    ['2026-04-06', true], // Easter Monday
    ['2026-04-07', false],
    ['2025-05-01', true],
    ['2025-05-02', false], // the "long weekend" bridge day is not a holiday
    ['2025-05-03', true],
    ['2026-05-24', true], // Pentecost
    ['2026-05-25', false], // Whit Monday is not a Polish holiday
    ['2026-06-04', true], // Corpus Christi
    ['2026-08-15', true], // a Saturday, still a holiday
    ['2026-11-01', true],
    ['2026-11-11', true],
    ['2024-12-24', false], // before the 2024 amendment took effect
    ['2025-12-24', true],
    ['2026-12-24', true],
    ['2025-12-25', true],
    ['2025-12-26', true],
    ['2025-12-31', false],
    ['2024-02-29', false],
  ])('%s -> %p', (date, expected) => {
    expect(isPolishPublicHoliday(date)).toBe(expected);
  });

  it('names the holiday it finds', () => {
    expect(findPolishPublicHoliday('2027-11-11')).toEqual({
      date: '2027-11-11',
      name: 'Independence Day',
      namePl: 'Narodowe Święto Niepodległości',
    });
    expect(findPolishPublicHoliday('2027-11-12')).toBeUndefined();
  });

  it.each(['2025-02-30', '2025-13-01', '2025-1-1', '01.01.2025', '2025-01-01T00:00:00Z', ''])(
    'refuses %p rather than guessing',
    (input) => {
      expect(() => isPolishPublicHoliday(input)).toThrow(RangeError);
    },
  );
});
