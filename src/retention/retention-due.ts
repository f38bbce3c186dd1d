import { DateTime, Duration } from 'luxon';

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

/** Polish cardinal agreement: 1 rok, 2-4 lata (but 12-14 lat), 5+ lat; 22 lata, 25 lat. */
export type PolishForms = readonly [one: string, few: string, many: string];

export function polishPlural(n: number, [one, few, many]: PolishForms): string {
  if (n === 1) return one;
  const lastDigit = n % 10;
  const lastTwo = n % 100;
  return lastDigit >= 2 && lastDigit <= 4 && (lastTwo < 12 || lastTwo > 14) ? few : many;
}

type DurationUnit = 'years' | 'months' | 'weeks' | 'days' | 'hours' | 'minutes' | 'seconds';

const UNITS: readonly DurationUnit[] = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'];

const POLISH_UNITS: Record<DurationUnit, PolishForms> = {
  years: ['rok', 'lata', 'lat'],
  months: ['miesiąc', 'miesiące', 'miesięcy'],
  weeks: ['tydzień', 'tygodnie', 'tygodni'],
  days: ['dzień', 'dni', 'dni'],
  hours: ['godzina', 'godziny', 'godzin'],
  minutes: ['minuta', 'minuty', 'minut'],
  seconds: ['sekunda', 'sekundy', 'sekund'],
};

const ENGLISH_UNITS: Record<DurationUnit, readonly [one: string, other: string]> = {
  years: ['year', 'years'],
  months: ['month', 'months'],
  weeks: ['week', 'weeks'],
  days: ['day', 'days'],
  hours: ['hour', 'hours'],
  minutes: ['minute', 'minutes'],
  seconds: ['second', 'seconds'],
};

const TRIGGER_WORDS: Record<RetentionTrigger, Record<RetentionLanguage, (period: string) => string>> = {
  last_activity: {
    pl: (p) => `${p} od ostatniej aktywności`,
    en: (p) => `${p} from the last activity`,
  },
  end_of_year_after_last_entry: {
    pl: (p) => `${p} od końca roku, w którym dokonano ostatniego wpisu`,
    en: (p) => `${p} from the end of the year in which the last entry was made`,
  },
  consent_withdrawn: {
    pl: (p) => `do wycofania zgody, następnie ${p} od jej wycofania`,
    en: (p) => `until consent is withdrawn, then ${p} from its withdrawal`,
  },
  contract_ended: {
    pl: (p) => `${p} od zakończenia umowy`,
    en: (p) => `${p} from the end of the contract`,
  },
  request_completed: {
    pl: (p) => `${p} od zrealizowania żądania`,
    en: (p) => `${p} from the completion of the request`,
  },
  created: {
    pl: (p) => `${p} od utworzenia rekordu`,
    en: (p) => `${p} from the creation of the record`,
  },
  complaint_settled: {
    pl: (p) => `${p} od rozliczenia reklamacji`,
    en: (p) => `${p} from the settlement of the complaint`,
  },
};

export function describeDuration(period: string, lang: RetentionLanguage): string {
  const parts = parseIsoDuration(period).toObject();
  const words = UNITS.filter((unit) => (parts[unit] ?? 0) > 0).map((unit) => {
    const n = parts[unit] as number;
    const noun = lang === 'pl' ? polishPlural(n, POLISH_UNITS[unit]) : ENGLISH_UNITS[unit][n === 1 ? 0 : 1];
    return `${n} ${noun}`;
  });
  return joinList(words, lang === 'pl' ? 'i' : 'and');
}

const YEAR_END_WORDS: Record<RetentionLanguage, string> = {
  pl: ', do końca roku kalendarzowego',
  en: ', to the end of that calendar year',
};

export function describeRetention(policy: RetentionRule, lang: RetentionLanguage): string {
  const words = TRIGGER_WORDS[policy.trigger];
  if (words === undefined) {
    throw new RangeError(`Unknown retention trigger ${JSON.stringify(policy.trigger)}`);
  }
  return words[lang](describeDuration(policy.period, lang)) + (policy.roundToYearEnd ? YEAR_END_WORDS[lang] : '');
}

function joinList(items: string[], conjunction: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

function assertNever(value: never): never {
  throw new RangeError(`Unknown retention trigger ${JSON.stringify(value)}`);
}
