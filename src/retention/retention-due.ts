import { DateTime, Duration } from 'luxon';
import { addMessages, defineStrings, message } from '../rendering';

// Retention periods in Polish law run on the Polish calendar (a year "from the end of the year" is the
// year as lived in Warsaw), whatever the server's clock zone.
export const RETENTION_ZONE = 'Europe/Warsaw';

export const RETENTION_TRIGGERS = [
  'last_activity',
  'end_of_year_after_last_entry',
  'consent_withdrawn',
  'contract_ended',
  'request_completed',
  'created',
  'complaint_settled',
] as const;
export type RetentionTrigger = (typeof RETENTION_TRIGGERS)[number];

export interface RetentionRule {
  trigger: RetentionTrigger;
  /** ISO 8601 duration, e.g. P5Y. */
  period: string;
  /**
   * Moves the end of the period to the end of the calendar year in which it falls, as the civil code
   * does for limitation periods (art. 118 k.c.: "koniec terminu przedawnienia przypada na ostatni dzień
   * roku kalendarzowego"), e.g. proof of consent kept for the 3-year limitation of business claims.
   */
  roundToYearEnd?: boolean;
}

export interface RetentionFacts {
  createdAt?: Date;
  lastActivityAt?: Date;
  lastEntryAt?: Date;
  consentWithdrawnAt?: Date;
  contractEndedAt?: Date;
  requestCompletedAt?: Date;
  complaintSettledAt?: Date;
}

export class InvalidDurationError extends Error {
  constructor(
    readonly input: unknown,
    detail: string,
  ) {
    super(
      `Invalid retention period ${JSON.stringify(input)}: ${detail}. ` +
        'Expected an ISO 8601 duration in whole units, such as P5Y, P1Y6M, P30D or PT12H.',
    );
    this.name = 'InvalidDurationError';
  }
}

// Whole units only, components in ISO order, weeks on their own (ISO 8601 PnW). Fractions and signs
// are refused: a retention period in a register must read as exactly what is enforced.
const ISO_DURATION =
  /^P(?:\d{1,6}W|(?=\d|T\d)(?:\d{1,6}Y)?(?:\d{1,6}M)?(?:\d{1,6}D)?(?:T(?=\d)(?:\d{1,6}H)?(?:\d{1,6}M)?(?:\d{1,6}S)?)?)$/;

export function parseIsoDuration(s: string): Duration {
  if (typeof s !== 'string') {
    throw new InvalidDurationError(s, 'not a string');
  }
  if (s.includes('-')) {
    throw new InvalidDurationError(s, 'a retention period cannot be negative');
  }
  if (!ISO_DURATION.test(s)) {
    throw new InvalidDurationError(s, 'not an ISO 8601 duration');
  }
  const duration = Duration.fromISO(s);
  if (!duration.isValid) {
    throw new InvalidDurationError(s, duration.invalidExplanation ?? 'not an ISO 8601 duration');
  }
  if (Object.values(duration.toObject()).every((value) => value === 0)) {
    throw new InvalidDurationError(s, 'a retention period must be longer than zero');
  }
  return duration;
}

/**
 * The instant from which a record falls due for its retention action, or null while the trigger has
 * not happened (consent never withdrawn, contract still running).
 */
export function computeRetentionDue(
  policy: RetentionRule,
  facts: RetentionFacts,
  zone: string = RETENTION_ZONE,
): Date | null {
  // Parsed first so a broken policy fails loudly even for records whose trigger has not happened.
  const period = parseIsoDuration(policy.period);
  const fact = triggerFact(policy.trigger, facts);
  return fact === undefined ? null : new Date(dueFrom(policy, period, fact, zone));
}

/** The due instant in epoch milliseconds for a fact that exists; `period` is `policy.period` parsed. */
function dueFrom(policy: RetentionRule, period: Duration, fact: Date, zone: string): number {
  if (Number.isNaN(fact.getTime())) {
    throw new RangeError(`The ${policy.trigger} fact is not a valid date`);
  }
  let start = DateTime.fromJSDate(fact, { zone });
  if (!start.isValid) {
    throw new RangeError(`Unknown time zone ${JSON.stringify(zone)}`);
  }
  if (policy.trigger === 'end_of_year_after_last_entry') {
    // Patient rights act art. 29(1) ("licząc od końca roku kalendarzowego, w którym dokonano ostatniego
    // wpisu") and accounting act art. 74(2) ("od początku roku następującego po roku obrotowym"): the
    // period starts at midnight on 1 January after the year of the last entry.
    start = start.startOf('year').plus({ years: 1 });
  }
  // Calendar arithmetic in the legal zone: years and months keep the local date (29 Feb + P1Y -> 28 Feb),
  // hours are exact elapsed time.
  let due = start.plus(period);
  if (!due.isValid) {
    throw new RangeError(`Retention period ${policy.period} from ${fact.toISOString()} is out of range`);
  }
  if (policy.roundToYearEnd) {
    // A period that ends during a year runs to that year's last day; one that ends exactly at midnight
    // on 1 January has already reached a year's end.
    const yearStart = due.startOf('year');
    if (yearStart.toMillis() !== due.toMillis()) due = yearStart.plus({ years: 1 });
  }
  return due.toMillis();
}

export function isRetentionDue(
  policy: RetentionRule,
  facts: RetentionFacts,
  now: Date,
  zone: string = RETENTION_ZONE,
): boolean {
  const due = computeRetentionDue(policy, facts, zone);
  return due !== null && now.getTime() >= due.getTime();
}

const DAY_MS = 24 * 3600 * 1000;
// Wider than anything calendar arithmetic can move an instant by (month-end clamping: 3 days, DST: 1 hour).
const FAST_PATH_MARGIN_MS = 7 * DAY_MS;
const YEAR_MS = 366 * DAY_MS;

/**
 * `isRetentionDue` for one rule at one instant, for sweeps that test every subject: the period is parsed
 * once, and a fact far from the boundary is decided by one comparison instead of calendar arithmetic
 * (30-80 µs each with luxon). Facts within a week of the boundary are computed exactly, so the answer is
 * always the same as `isRetentionDue`'s.
 */
export function retentionDueTester(
  policy: RetentionRule,
  now: Date,
  zone: string = RETENTION_ZONE,
): (facts: RetentionFacts) => boolean {
  const period = parseIsoDuration(policy.period);
  const nowMs = now.getTime();
  const exact = (fact: Date) => dueFrom(policy, period, fact, zone) <= nowMs;
  // A fact this old is due whatever its calendar details; compared with the due of a fact exactly at
  // the anchor, year-start triggers and year-end rounding can each move the boundary by up to a year.
  const anchor = DateTime.fromMillis(nowMs, { zone }).minus(period);
  if (!anchor.isValid) {
    // No representable instant lies a whole period before now: nothing can be due yet.
    return (facts) => {
      const fact = triggerFact(policy.trigger, facts);
      return fact !== undefined && exact(fact);
    };
  }
  const span =
    (policy.trigger === 'end_of_year_after_last_entry' ? YEAR_MS : 0) + (policy.roundToYearEnd ? YEAR_MS : 0);
  const lower = anchor.toMillis() - span - FAST_PATH_MARGIN_MS;
  const upper = anchor.toMillis() + FAST_PATH_MARGIN_MS;
  // The shortcut is only taken when the bounds are proven here with a day to spare, which also covers
  // the hour by which a due instant can go backwards across the autumn DST change.
  const fast =
    dueFrom(policy, period, new Date(lower), zone) <= nowMs - DAY_MS &&
    dueFrom(policy, period, new Date(upper), zone) >= nowMs + DAY_MS;
  return (facts) => {
    const fact = triggerFact(policy.trigger, facts);
    if (fact === undefined) return false;
    const ms = fact.getTime();
    if (fast && ms < lower) return true;
    if (fast && ms > upper) return false;
    return exact(fact);
  };
}

/** The fact a trigger counts from; undefined while the triggering event has not happened. */
export function triggerFact(trigger: RetentionTrigger, facts: RetentionFacts): Date | undefined {
  switch (trigger) {
    case 'last_activity':
      return facts.lastActivityAt;
    case 'end_of_year_after_last_entry':
      return facts.lastEntryAt;
    case 'consent_withdrawn':
      return facts.consentWithdrawnAt;
    case 'contract_ended':
      return facts.contractEndedAt;
    case 'request_completed':
      return facts.requestCompletedAt;
    case 'created':
      return facts.createdAt;
    case 'complaint_settled':
      return facts.complaintSettledAt;
    default:
      return assertNever(trigger);
  }
}

// ---------------------------------------------------------------------------------------------------
// Words for the register (Art. 30(1)(f): "the envisaged time limits for erasure"), in Polish and English.

export type RetentionLanguage = 'pl' | 'en';

type DurationUnit = 'years' | 'months' | 'weeks' | 'days' | 'hours' | 'minutes' | 'seconds';

const UNITS: readonly DurationUnit[] = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'];

/**
 * The words of a retention period, the one catalogue's namespace `retentionWords`: ICU plurals by the CLDR rules of
 * each language (Polish: 1 rok, 2-4 and 22-24 lata, 5-21 and 12-14 lat), `{n}` kept as plain digits.
 */
export const RETENTION_WORDS = defineStrings({
  pl: {
    unit: {
      years: '{n, plural, one {{n} rok} few {{n} lata} many {{n} lat} other {{n} roku}}',
      months: '{n, plural, one {{n} miesiąc} few {{n} miesiące} many {{n} miesięcy} other {{n} miesiąca}}',
      weeks: '{n, plural, one {{n} tydzień} few {{n} tygodnie} many {{n} tygodni} other {{n} tygodnia}}',
      days: '{n, plural, one {{n} dzień} few {{n} dni} many {{n} dni} other {{n} dnia}}',
      hours: '{n, plural, one {{n} godzina} few {{n} godziny} many {{n} godzin} other {{n} godziny}}',
      minutes: '{n, plural, one {{n} minuta} few {{n} minuty} many {{n} minut} other {{n} minuty}}',
      seconds: '{n, plural, one {{n} sekunda} few {{n} sekundy} many {{n} sekund} other {{n} sekundy}}',
    },
    and: 'i',
    trigger: {
      last_activity: '{period} od ostatniej aktywności',
      end_of_year_after_last_entry: '{period} od końca roku, w którym dokonano ostatniego wpisu',
      consent_withdrawn: 'do wycofania zgody, następnie {period} od jej wycofania',
      contract_ended: '{period} od zakończenia umowy',
      request_completed: '{period} od zrealizowania żądania',
      created: '{period} od utworzenia rekordu',
      complaint_settled: '{period} od rozliczenia reklamacji',
    },
    yearEnd: ', do końca roku kalendarzowego',
  },
  en: {
    unit: {
      years: '{n, plural, one {{n} year} other {{n} years}}',
      months: '{n, plural, one {{n} month} other {{n} months}}',
      weeks: '{n, plural, one {{n} week} other {{n} weeks}}',
      days: '{n, plural, one {{n} day} other {{n} days}}',
      hours: '{n, plural, one {{n} hour} other {{n} hours}}',
      minutes: '{n, plural, one {{n} minute} other {{n} minutes}}',
      seconds: '{n, plural, one {{n} second} other {{n} seconds}}',
    },
    and: 'and',
    trigger: {
      last_activity: '{period} from the last activity',
      end_of_year_after_last_entry: '{period} from the end of the year in which the last entry was made',
      consent_withdrawn: 'until consent is withdrawn, then {period} from its withdrawal',
      contract_ended: '{period} from the end of the contract',
      request_completed: '{period} from the completion of the request',
      created: '{period} from the creation of the record',
      complaint_settled: '{period} from the settlement of the complaint',
    },
    yearEnd: ', to the end of that calendar year',
  },
});
addMessages('retentionWords', RETENTION_WORDS);

export function describeDuration(period: string, lang: RetentionLanguage): string {
  const parts = parseIsoDuration(period).toObject();
  const words = UNITS.filter((unit) => (parts[unit] ?? 0) > 0).map((unit) =>
    message(lang, `retentionWords.unit.${unit}`, { n: parts[unit] as number }),
  );
  return joinList(words, message(lang, 'retentionWords.and'));
}

export function describeRetention(policy: RetentionRule, lang: RetentionLanguage): string {
  if (!(policy.trigger in RETENTION_WORDS.pl.trigger)) {
    throw new RangeError(`Unknown retention trigger ${JSON.stringify(policy.trigger)}`);
  }
  const period = describeDuration(policy.period, lang);
  return (
    message(lang, `retentionWords.trigger.${policy.trigger}`, { period }) +
    (policy.roundToYearEnd ? message(lang, 'retentionWords.yearEnd') : '')
  );
}

function joinList(items: string[], conjunction: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

function assertNever(value: never): never {
  throw new RangeError(`Unknown retention trigger ${JSON.stringify(value)}`);
}
