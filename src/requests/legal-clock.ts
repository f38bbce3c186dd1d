import { DateTime } from 'luxon';
import { findPolishPublicHoliday } from './polish-holidays';

// The controller's calendar is Poland's: a request is received on the date it is in Warsaw, and the
// public holidays that move a deadline are those of the Member State concerned (Reg. 1182/71 art. 3(4)).
export const LEGAL_ZONE = 'Europe/Warsaw';
// Art. 12(3): one month, extendable "by two further months", so never more than three from receipt.
export const BASE_PERIOD_MONTHS = 1;
export const MAX_EXTENSION_MONTHS = 2;
export const MAX_TOTAL_MONTHS = BASE_PERIOD_MONTHS + MAX_EXTENSION_MONTHS;
// Longest run of Polish non-working days is five (Wed 24 Dec .. Sun 28 Dec); anything longer is a bug.
const MAX_NON_WORKING_RUN = 10;

export type ExtensionMonths = 0 | 1 | 2;
export type SkipReason = 'saturday' | 'sunday' | 'public_holiday';

export interface SkippedDay {
  date: string;
  reason: SkipReason;
  /** Set when the day is a public holiday, even if it is also a Saturday or Sunday. */
  holiday?: string;
  holidayPl?: string;
}

interface PeriodEnd {
  nominalEndDate: string;
  endOfMonthClamped: boolean;
  skipped: SkippedDay[];
  dueDate: string;
  dueAt: string;
}

export interface ExtensionExplanation extends PeriodEnd {
  /** Further months granted under Art. 12(3), second sentence. */
  months: number;
  /** Months counted from receipt, base period included. */
  totalMonths: number;
}

export interface ClockExplanation extends PeriodEnd {
  zone: string;
  receivedAt: string;
  receivedLocalDate: string;
  firstDayCounted: string;
  months: number;
  extension: ExtensionExplanation | null;
  /** The deadline that binds the controller: the extended one when there is an extension. */
  finalDueDate: string;
  finalDueAt: string;
}

export interface LegalClockOptions {
  extensionMonths?: ExtensionMonths;
  zone?: string;
}

export type CanExtendResult = { ok: true } | { ok: false; reason: 'deadline_passed' | 'too_long' | 'already_extended' };

/**
 * Art. 12(3) GDPR deadline, counted under Regulation 1182/71 (art. 3), explained step by step so the
 * console and the audit log can show why a request is due when it is.
 */
export function computeDueDate(receivedAt: Date, opts: LegalClockOptions = {}): ClockExplanation {
  const zone = opts.zone ?? LEGAL_ZONE;
  const extensionMonths = opts.extensionMonths ?? 0;
  if (!Number.isInteger(extensionMonths) || extensionMonths < 0 || extensionMonths > MAX_EXTENSION_MONTHS) {
    throw new RangeError(
      `Art. 12(3) allows an extension of 0-${MAX_EXTENSION_MONTHS} further months, got ${extensionMonths}`,
    );
  }
  const receivedDay = localCalendarDate(receivedAt, zone);
  const base = periodEnd(receivedDay, BASE_PERIOD_MONTHS, zone);
  // The extended period runs from receipt, not from the end of the first month: "never beyond three
  // months from receipt", and chaining would lose days (31 Jan -> 28 Feb -> 28 Apr instead of 30 Apr).
  const extension: ExtensionExplanation | null =
    extensionMonths === 0
      ? null
      : {
          months: extensionMonths,
          totalMonths: BASE_PERIOD_MONTHS + extensionMonths,
          ...periodEnd(receivedDay, BASE_PERIOD_MONTHS + extensionMonths, zone),
        };
  return {
    zone,
    receivedAt: receivedAt.toISOString(),
    receivedLocalDate: isoDate(receivedDay),
    // Reg. 1182/71 art. 3(1): the day of the event is not counted.
    firstDayCounted: isoDate(receivedDay.plus({ days: 1 })),
    months: BASE_PERIOD_MONTHS,
    ...base,
    extension,
    finalDueDate: extension?.dueDate ?? base.dueDate,
    finalDueAt: extension?.dueAt ?? base.dueAt,
  };
}

/** The binding deadline instant (end of the due day in the legal zone) as a Date. */
export function computeDueAt(receivedAt: Date, opts: LegalClockOptions = {}): Date {
  return new Date(computeDueDate(receivedAt, opts).finalDueAt);
}

/**
 * Art. 12(3): the subject must be told of an extension, with reasons, "within one month of receipt",
 * so the decision must fall inside the first period; one extension of at most two further months.
 */
export function canExtend(
  receivedAt: Date,
  now: Date,
  currentExtensionMonths: number,
  requestedMonths: number,
  opts: { zone?: string } = {},
): CanExtendResult {
  if (!Number.isInteger(requestedMonths) || requestedMonths < 1) {
    throw new RangeError(`An extension is a whole number of months, at least 1; got ${requestedMonths}`);
  }
  if (currentExtensionMonths > 0) {
    return { ok: false, reason: 'already_extended' };
  }
  if (BASE_PERIOD_MONTHS + requestedMonths > MAX_TOTAL_MONTHS) {
    return { ok: false, reason: 'too_long' };
  }
  const firstDueAt = new Date(computeDueDate(receivedAt, { zone: opts.zone }).dueAt);
  // dueAt is the last millisecond of the period (art. 3(2)(c): "expiry of the last hour"), so it is
  // still inside it.
  if (now.getTime() > firstDueAt.getTime()) {
    return { ok: false, reason: 'deadline_passed' };
  }
  return { ok: true };
}

function periodEnd(receivedDay: DateTime, months: number, zone: string): PeriodEnd {
  // Reg. 1182/71 art. 3(2)(c): a period in months ends on the same date as the day from which it runs;
  // when that date does not exist, on the month's last day (luxon clamps the same way).
  const nominal = receivedDay.plus({ months });
  const skipped: SkippedDay[] = [];
  let due = nominal;
  for (let reason = nonWorkingDay(due); reason !== null; reason = nonWorkingDay(due)) {
    if (skipped.length >= MAX_NON_WORKING_RUN) {
      throw new Error(`No working day within ${MAX_NON_WORKING_RUN} days after ${isoDate(nominal)}`);
    }
    // Reg. 1182/71 art. 3(4): a period ending on a Saturday, Sunday or public holiday ends with the
    // expiry of the last hour of the following working day.
    skipped.push(reason);
    due = due.plus({ days: 1 });
  }
  const endOfDueDay = DateTime.fromObject({ year: due.year, month: due.month, day: due.day }, { zone }).endOf('day');
  return {
    nominalEndDate: isoDate(nominal),
    endOfMonthClamped: nominal.day !== receivedDay.day,
    skipped,
    dueDate: isoDate(due),
    dueAt: new Date(endOfDueDay.toMillis()).toISOString(),
  };
}

function nonWorkingDay(day: DateTime): SkippedDay | null {
  const date = isoDate(day);
  const holiday = findPolishPublicHoliday(date);
  const names = holiday ? { holiday: holiday.name, holidayPl: holiday.namePl } : {};
  if (day.weekday === 6) return { date, reason: 'saturday', ...names };
  if (day.weekday === 7) return { date, reason: 'sunday', ...names };
  if (holiday) return { date, reason: 'public_holiday', ...names };
  return null;
}

/** The receipt's calendar date in the legal zone, as a zone-free (UTC midnight) date for day arithmetic. */
function localCalendarDate(instant: Date, zone: string): DateTime {
  if (Number.isNaN(instant.getTime())) {
    throw new RangeError('receivedAt is not a valid date');
  }
  const local = DateTime.fromJSDate(instant, { zone });
  if (!local.isValid) {
    throw new RangeError(`Unknown time zone ${JSON.stringify(zone)}`);
  }
  return DateTime.utc(local.year, local.month, local.day);
}

function isoDate(day: DateTime): string {
  return day.toISODate() as string;
}
