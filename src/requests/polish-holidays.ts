import { DateTime } from 'luxon';

export interface PolishPublicHoliday {
  /** Calendar date, YYYY-MM-DD. */
  date: string;
  name: string;
  namePl: string;
}

// Ustawa z 18 stycznia 1951 r. o dniach wolnych od pracy, art. 1, in its current wording: Epiphany
// (6 January) is a day off again only since 2011 (amendment of 24 September 2010). Earlier years had a
// different list, so they are refused rather than answered wrongly.
export const FIRST_SUPPORTED_YEAR = 2011;
// Christmas Eve became a day off from 2025 (amending act of 6 December 2024).
export const CHRISTMAS_EVE_FROM_YEAR = 2025;
const LAST_SUPPORTED_YEAR = 9999;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Easter Sunday in the Gregorian calendar (anonymous Gregorian / Meeus-Jones-Butcher algorithm).
 * The movable Polish holidays (Easter Monday, Pentecost, Corpus Christi) hang off this date.
 */
export function easterSunday(year: number): string {
  // The algorithm is defined for the Gregorian calendar, introduced in October 1582.
  if (!Number.isInteger(year) || year < 1583 || year > LAST_SUPPORTED_YEAR) {
    throw new RangeError(`Easter is computed for Gregorian years 1583-${LAST_SUPPORTED_YEAR}, got ${year}`);
  }
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.utc(year, month, day).toISODate() as string;
}

/** Days off in Poland (ustawa o dniach wolnych od pracy, art. 1), sorted by date. */
export function polishPublicHolidays(year: number): PolishPublicHoliday[] {
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) {
    throw new RangeError(
      `Polish public holidays are known for ${FIRST_SUPPORTED_YEAR}-${LAST_SUPPORTED_YEAR}, got ${year}`,
    );
  }
  const easter = DateTime.fromISO(easterSunday(year), { zone: 'utc' });
  const fixed = (month: number, day: number): string => DateTime.utc(year, month, day).toISODate() as string;
  const afterEaster = (days: number): string => easter.plus({ days }).toISODate() as string;

  const holidays: PolishPublicHoliday[] = [
    { date: fixed(1, 1), name: "New Year's Day", namePl: 'Nowy Rok' },
    { date: fixed(1, 6), name: 'Epiphany', namePl: 'Święto Trzech Króli' },
    { date: afterEaster(0), name: 'Easter Sunday', namePl: 'pierwszy dzień Wielkiej Nocy' },
    { date: afterEaster(1), name: 'Easter Monday', namePl: 'drugi dzień Wielkiej Nocy' },
    { date: fixed(5, 1), name: 'Labour Day', namePl: 'Święto Państwowe (Święto Pracy)' },
    { date: fixed(5, 3), name: 'Constitution Day', namePl: 'Święto Narodowe Trzeciego Maja' },
    { date: afterEaster(49), name: 'Pentecost Sunday', namePl: 'pierwszy dzień Zielonych Świątek' },
    { date: afterEaster(60), name: 'Corpus Christi', namePl: 'dzień Bożego Ciała' },
    { date: fixed(8, 15), name: 'Assumption of Mary', namePl: 'Wniebowzięcie Najświętszej Maryi Panny' },
    { date: fixed(11, 1), name: "All Saints' Day", namePl: 'Wszystkich Świętych' },
    { date: fixed(11, 11), name: 'Independence Day', namePl: 'Narodowe Święto Niepodległości' },
    { date: fixed(12, 25), name: 'Christmas Day', namePl: 'pierwszy dzień Bożego Narodzenia' },
    { date: fixed(12, 26), name: 'Second Day of Christmas', namePl: 'drugi dzień Bożego Narodzenia' },
  ];
  if (year >= CHRISTMAS_EVE_FROM_YEAR) {
    holidays.push({ date: fixed(12, 24), name: 'Christmas Eve', namePl: 'Wigilia Bożego Narodzenia' });
  }
  return holidays.sort((x, y) => x.date.localeCompare(y.date));
}

/** The holiday falling on a calendar date (YYYY-MM-DD), if any. */
export function findPolishPublicHoliday(isoDate: string): PolishPublicHoliday | undefined {
  const year = parseIsoDate(isoDate);
  return polishPublicHolidays(year).find((holiday) => holiday.date === isoDate);
}

export function isPolishPublicHoliday(isoDate: string): boolean {
  return findPolishPublicHoliday(isoDate) !== undefined;
}

function parseIsoDate(isoDate: string): number {
  const match = ISO_DATE.exec(isoDate);
  if (!match || !DateTime.fromISO(isoDate, { zone: 'utc' }).isValid) {
    throw new RangeError(`Expected a calendar date as YYYY-MM-DD, got ${JSON.stringify(isoDate)}`);
  }
  return Number(match[1]);
}
