import {
  computeRetentionDue,
  describeDuration,
  describeRetention,
  InvalidDurationError,
  isRetentionDue,
  parseIsoDuration,
  retentionDueTester,
  RETENTION_TRIGGERS,
  RetentionFacts,
  RetentionRule,
  RetentionTrigger,
} from './retention-due';

// Expected instants were worked out by hand: Warsaw is UTC+1 in winter and UTC+2 in summer, so
// midnight on 1 January in Warsaw is 23:00Z on 31 December.

describe('parseIsoDuration', () => {
  it.each([
    ['P2Y', { years: 2 }],
    ['P5Y', { years: 5 }],
    ['P20Y', { years: 20 }],
    ['P1Y6M', { years: 1, months: 6 }],
    ['P30D', { days: 30 }],
    ['PT12H', { hours: 12 }],
    ['P2W', { weeks: 2 }],
    ['P1DT12H', { days: 1, hours: 12 }],
    ['PT90M', { minutes: 90 }],
    ['P0Y6M', { years: 0, months: 6 }],
  ])('accepts %s', (input, expected) => {
    expect(parseIsoDuration(input).toObject()).toEqual(expected);
  });

  it.each([
    ['', 'not an ISO 8601 duration'],
    ['P', 'not an ISO 8601 duration'],
    ['PT', 'not an ISO 8601 duration'],
    ['P1YT', 'not an ISO 8601 duration'],
    ['2Y', 'not an ISO 8601 duration'],
    ['P2', 'not an ISO 8601 duration'],
    ['p2y', 'not an ISO 8601 duration'],
    [' P2Y', 'not an ISO 8601 duration'],
    ['P2Y ', 'not an ISO 8601 duration'],
    ['P1M1Y', 'not an ISO 8601 duration'],
    ['P1Y2W', 'not an ISO 8601 duration'],
    ['P1.5Y', 'not an ISO 8601 duration'],
    ['P1,5Y', 'not an ISO 8601 duration'],
    ['P1234567Y', 'not an ISO 8601 duration'],
    ['five years', 'not an ISO 8601 duration'],
    ['-P1Y', 'cannot be negative'],
    ['P-1Y', 'cannot be negative'],
    ['P0D', 'longer than zero'],
    ['PT0S', 'longer than zero'],
    ['P0Y0M', 'longer than zero'],
  ])('rejects %p (%s)', (input, reason) => {
    const attempt = () => parseIsoDuration(input);
    expect(attempt).toThrow(InvalidDurationError);
    expect(attempt).toThrow(reason);
    expect(attempt).toThrow(`Invalid retention period ${JSON.stringify(input)}`);
  });

  it.each([undefined, null, 5])('rejects the non-string %p', (input) => {
    expect(() => parseIsoDuration(input as unknown as string)).toThrow(InvalidDurationError);
  });

  it('names the error and keeps the offending input for the operator', () => {
    try {
      parseIsoDuration('P0D');
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidDurationError);
      expect(error).toBeInstanceOf(Error);
      expect((error as InvalidDurationError).name).toBe('InvalidDurationError');
      expect((error as InvalidDurationError).input).toBe('P0D');
      expect((error as InvalidDurationError).message).toContain('such as P5Y');
    }
  });
});

describe('computeRetentionDue', () => {
  it.each<[string, RetentionTrigger, string, RetentionFacts, string]>([
    [
      'accounting: last entry mid-2024 + P5Y -> 1 Jan 2030 00:00 Warsaw',
      'end_of_year_after_last_entry',
      'P5Y',
      { lastEntryAt: new Date('2024-06-15T10:00:00Z') },
      '2029-12-31T23:00:00.000Z',
    ],
    [
      'medical records: last entry 2024 + P20Y -> 1 Jan 2045 00:00 Warsaw',
      'end_of_year_after_last_entry',
      'P20Y',
      { lastEntryAt: new Date('2024-03-10T09:00:00Z') },
      '2044-12-31T23:00:00.000Z',
    ],
    [
      'an entry at 00:30 on 1 Jan 2024 in Warsaw (still 2023 in UTC) belongs to 2024',
      'end_of_year_after_last_entry',
      'P5Y',
      { lastEntryAt: new Date('2023-12-31T23:30:00Z') },
      '2029-12-31T23:00:00.000Z',
    ],
    [
      'an entry at 23:30Z on 31 Dec 2024 is already 2025 in Warsaw -> 1 Jan 2031',
      'end_of_year_after_last_entry',
      'P5Y',
      { lastEntryAt: new Date('2024-12-31T23:30:00Z') },
      '2030-12-31T23:00:00.000Z',
    ],
    [
      'an entry on the last second of 2024 in Warsaw still counts from 1 Jan 2025',
      'end_of_year_after_last_entry',
      'P5Y',
      { lastEntryAt: new Date('2024-12-31T22:59:59.999Z') },
      '2029-12-31T23:00:00.000Z',
    ],
    [
      'customer service contact: last activity + P2Y, same wall time',
      'last_activity',
      'P2Y',
      { lastActivityAt: new Date('2024-05-10T12:00:00Z') },
      '2026-05-10T12:00:00.000Z',
    ],
    [
      'months keep the Warsaw wall time across DST: 13:00 CET + P6M -> 13:00 CEST',
      'last_activity',
      'P6M',
      { lastActivityAt: new Date('2025-01-15T12:00:00Z') },
      '2025-07-15T11:00:00.000Z',
    ],
    [
      'hours are elapsed time, even across the spring DST change',
      'consent_withdrawn',
      'PT12H',
      { consentWithdrawnAt: new Date('2026-03-28T23:30:00Z') },
      '2026-03-29T11:30:00.000Z',
    ],
    [
      'days are calendar days in Warsaw: 12:00 CEST + P30D -> 12:00 CET',
      'contract_ended',
      'P30D',
      { contractEndedAt: new Date('2025-10-10T10:00:00Z') },
      '2025-11-09T11:00:00.000Z',
    ],
    [
      '29 Feb 2024 + P1Y -> 28 Feb 2025',
      'created',
      'P1Y',
      { createdAt: new Date('2024-02-29T12:00:00Z') },
      '2025-02-28T12:00:00.000Z',
    ],
    [
      '31 Jan 2025 + P1M -> 28 Feb 2025',
      'request_completed',
      'P1M',
      { requestCompletedAt: new Date('2025-01-31T10:00:00Z') },
      '2025-02-28T10:00:00.000Z',
    ],
    [
      '31 Aug 2024 + P1Y6M -> 28 Feb 2026',
      'contract_ended',
      'P1Y6M',
      { contractEndedAt: new Date('2024-08-31T10:00:00Z') },
      '2026-02-28T11:00:00.000Z',
    ],
    [
      'marketing proof of consent: withdrawn + P3Y',
      'consent_withdrawn',
      'P3Y',
      { consentWithdrawnAt: new Date('2025-03-10T08:00:00Z') },
      '2028-03-10T08:00:00.000Z',
    ],
  ])('%s', (_name, trigger, period, facts, expected) => {
    expect(computeRetentionDue({ trigger, period }, facts)?.toISOString()).toBe(expected);
  });

  // Each trigger must read its own fact and no other.
  const allFacts: Required<RetentionFacts> = {
    createdAt: new Date('2020-01-01T12:00:00Z'),
    lastActivityAt: new Date('2021-01-01T12:00:00Z'),
    lastEntryAt: new Date('2022-06-01T12:00:00Z'),
    consentWithdrawnAt: new Date('2023-01-01T12:00:00Z'),
    contractEndedAt: new Date('2024-01-01T12:00:00Z'),
    requestCompletedAt: new Date('2025-01-01T12:00:00Z'),
    complaintSettledAt: new Date('2025-06-01T12:00:00Z'),
  };
  it.each<[RetentionTrigger, keyof RetentionFacts, string]>([
    ['created', 'createdAt', '2020-01-02T12:00:00.000Z'],
    ['last_activity', 'lastActivityAt', '2021-01-02T12:00:00.000Z'],
    ['end_of_year_after_last_entry', 'lastEntryAt', '2023-01-01T23:00:00.000Z'],
    ['consent_withdrawn', 'consentWithdrawnAt', '2023-01-02T12:00:00.000Z'],
    ['contract_ended', 'contractEndedAt', '2024-01-02T12:00:00.000Z'],
    ['request_completed', 'requestCompletedAt', '2025-01-02T12:00:00.000Z'],
    ['complaint_settled', 'complaintSettledAt', '2025-06-02T12:00:00.000Z'],
  ])('%s reads %s, and is null without it', (trigger, fact, expected) => {
    const policy: RetentionRule = { trigger, period: 'P1D' };
    expect(computeRetentionDue(policy, allFacts)?.toISOString()).toBe(expected);
    const withoutIt: RetentionFacts = { ...allFacts };
    delete withoutIt[fact];
    expect(computeRetentionDue(policy, withoutIt)).toBeNull();
  });

  it('is null while consent has never been withdrawn', () => {
    expect(
      computeRetentionDue({ trigger: 'consent_withdrawn', period: 'P3Y' }, { createdAt: new Date('2020-01-01') }),
    ).toBeNull();
  });

  it('uses the given zone for the calendar year', () => {
    const due = computeRetentionDue(
      { trigger: 'end_of_year_after_last_entry', period: 'P5Y' },
      { lastEntryAt: new Date('2024-12-31T23:30:00Z') },
      'UTC',
    );
    expect(due?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('refuses a broken period even when the trigger has not happened yet', () => {
    expect(() => computeRetentionDue({ trigger: 'consent_withdrawn', period: 'P0D' }, {})).toThrow(
      InvalidDurationError,
    );
  });

  it('refuses an invalid fact date and an unknown zone', () => {
    const policy: RetentionRule = { trigger: 'created', period: 'P1Y' };
    expect(() => computeRetentionDue(policy, { createdAt: new Date('nope') })).toThrow(RangeError);
    expect(() => computeRetentionDue(policy, { createdAt: new Date('2024-01-01') }, 'Mars/Olympus')).toThrow(
      RangeError,
    );
  });
});

describe('isRetentionDue', () => {
  const contact: RetentionRule = { trigger: 'last_activity', period: 'P2Y' };
  const medical: RetentionRule = { trigger: 'end_of_year_after_last_entry', period: 'P20Y' };

  it.each<[string, RetentionRule, RetentionFacts, string, boolean]>([
    [
      'a millisecond before two years',
      contact,
      { lastActivityAt: new Date('2024-05-10T12:00:00Z') },
      '2026-05-10T11:59:59.999Z',
      false,
    ],
    [
      'exactly at two years',
      contact,
      { lastActivityAt: new Date('2024-05-10T12:00:00Z') },
      '2026-05-10T12:00:00.000Z',
      true,
    ],
    ['long after', contact, { lastActivityAt: new Date('2024-05-10T12:00:00Z') }, '2030-01-01T00:00:00.000Z', true],
    ['no activity recorded', contact, {}, '2099-01-01T00:00:00.000Z', false],
    [
      'medical: 31 Dec 2044 23:59 in Warsaw',
      medical,
      { lastEntryAt: new Date('2024-03-10T09:00:00Z') },
      '2044-12-31T22:59:59.999Z',
      false,
    ],
    [
      'medical: 1 Jan 2045 00:00 in Warsaw',
      medical,
      { lastEntryAt: new Date('2024-03-10T09:00:00Z') },
      '2044-12-31T23:00:00.000Z',
      true,
    ],
  ])('%s -> %p', (_name, policy, facts, now, expected) => {
    expect(isRetentionDue(policy, facts, new Date(now))).toBe(expected);
  });
});

describe('roundToYearEnd (art. 118 k.c.: a limitation period ends on the last day of a calendar year)', () => {
  it.each<[string, RetentionRule, RetentionFacts, string]>([
    [
      'proof of consent: withdrawn 10 Mar 2025 + P3Y -> end of 2028 (1 Jan 2029 00:00 Warsaw)',
      { trigger: 'consent_withdrawn', period: 'P3Y', roundToYearEnd: true },
      { consentWithdrawnAt: new Date('2025-03-10T08:00:00Z') },
      '2028-12-31T23:00:00.000Z',
    ],
    [
      'withdrawn on 31 Dec 2025 at 23:30 Warsaw + P3Y -> still the end of 2028',
      { trigger: 'consent_withdrawn', period: 'P3Y', roundToYearEnd: true },
      { consentWithdrawnAt: new Date('2025-12-31T22:30:00Z') },
      '2028-12-31T23:00:00.000Z',
    ],
    [
      'withdrawn at 00:30 on 1 Jan 2026 Warsaw (2025 in UTC) -> end of 2029',
      { trigger: 'consent_withdrawn', period: 'P3Y', roundToYearEnd: true },
      { consentWithdrawnAt: new Date('2025-12-31T23:30:00Z') },
      '2029-12-31T23:00:00.000Z',
    ],
    [
      'a period ending exactly at midnight on 1 January is not pushed a year further',
      { trigger: 'created', period: 'P1Y', roundToYearEnd: true },
      { createdAt: new Date('2024-12-31T23:00:00Z') },
      '2025-12-31T23:00:00.000Z',
    ],
    [
      'a year-start trigger already ends on a year boundary: rounding changes nothing',
      { trigger: 'end_of_year_after_last_entry', period: 'P5Y', roundToYearEnd: true },
      { lastEntryAt: new Date('2024-06-15T10:00:00Z') },
      '2029-12-31T23:00:00.000Z',
    ],
    [
      'months: 15 Aug 2025 + P6M -> 15 Feb 2026 -> end of 2026',
      { trigger: 'contract_ended', period: 'P6M', roundToYearEnd: true },
      { contractEndedAt: new Date('2025-08-15T10:00:00Z') },
      '2026-12-31T23:00:00.000Z',
    ],
  ])('%s', (_name, policy, facts, expected) => {
    expect(computeRetentionDue(policy, facts)?.toISOString()).toBe(expected);
  });

  it('is off unless asked for', () => {
    const facts = { consentWithdrawnAt: new Date('2025-03-10T08:00:00Z') };
    expect(computeRetentionDue({ trigger: 'consent_withdrawn', period: 'P3Y' }, facts)?.toISOString()).toBe(
      '2028-03-10T08:00:00.000Z',
    );
    expect(
      isRetentionDue(
        { trigger: 'consent_withdrawn', period: 'P3Y', roundToYearEnd: true },
        facts,
        new Date('2028-12-31T22:59:59.999Z'),
      ),
    ).toBe(false);
  });
});

describe('retentionDueTester', () => {
  // A deterministic generator, so a failure names a reproducible case.
  function* instants(seed: number, n: number, from: number, to: number): Generator<Date> {
    let x = seed;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      yield new Date(from + Math.floor((x / 2147483648) * (to - from)));
    }
  }
  const MIN = 60_000;
  const DAY = 24 * 60 * MIN;
  const rules: RetentionRule[] = [
    { trigger: 'last_activity', period: 'P2Y' },
    { trigger: 'last_activity', period: 'P1M' },
    { trigger: 'created', period: 'P1Y6M' },
    { trigger: 'contract_ended', period: 'P30D' },
    { trigger: 'request_completed', period: 'PT12H' },
    { trigger: 'end_of_year_after_last_entry', period: 'P5Y' },
    { trigger: 'end_of_year_after_last_entry', period: 'P20Y' },
    { trigger: 'consent_withdrawn', period: 'P3Y', roundToYearEnd: true },
    { trigger: 'contract_ended', period: 'P1Y', roundToYearEnd: true },
  ];
  const nows = [
    '2026-05-10T12:00:00Z',
    '2026-03-29T01:30:00Z', // the spring DST change in Warsaw
    '2025-10-26T00:30:00Z', // inside the repeated autumn hour
    '2029-01-01T00:00:00Z',
    '2028-02-29T12:00:00Z',
  ].map((s) => new Date(s));

  it.each(rules.map((r) => [`${r.trigger} ${r.period}${r.roundToYearEnd ? ' to year end' : ''}`, r] as const))(
    'agrees with isRetentionDue everywhere, near the boundary included: %s',
    (_name, rule) => {
      const facts = (trigger: RetentionTrigger, at: Date): RetentionFacts => {
        const key = {
          created: 'createdAt',
          last_activity: 'lastActivityAt',
          end_of_year_after_last_entry: 'lastEntryAt',
          consent_withdrawn: 'consentWithdrawnAt',
          contract_ended: 'contractEndedAt',
          request_completed: 'requestCompletedAt',
          complaint_settled: 'complaintSettledAt',
        }[trigger] as keyof RetentionFacts;
        return { [key]: at };
      };
      for (const now of nows) {
        const test = retentionDueTester(rule, now);
        const boundary = computeRetentionDue(rule, facts(rule.trigger, now))!.getTime() - now.getTime();
        const anchor = now.getTime() - boundary;
        const samples = [
          ...instants(now.getTime() % 9973, 400, now.getTime() - 30 * 365 * DAY, now.getTime()),
          // dense around where the answer flips
          ...instants(7, 400, anchor - 400 * DAY, anchor + 40 * DAY),
          ...instants(11, 200, anchor - 2 * DAY, anchor + 2 * DAY),
        ];
        for (const at of samples) {
          const f = facts(rule.trigger, at);
          expect([at.toISOString(), test(f)]).toEqual([at.toISOString(), isRetentionDue(rule, f, now)]);
        }
        expect(test({})).toBe(false);
      }
    },
  );

  it('decides a fact exactly at the boundary like isRetentionDue', () => {
    const rule: RetentionRule = { trigger: 'last_activity', period: 'P2Y' };
    const now = new Date('2026-05-10T12:00:00Z');
    const test = retentionDueTester(rule, now);
    expect(test({ lastActivityAt: new Date('2024-05-10T12:00:00Z') })).toBe(true);
    expect(test({ lastActivityAt: new Date('2024-05-10T12:00:00.001Z') })).toBe(false);
  });

  it('refuses a broken period at once, and an invalid fact like computeRetentionDue', () => {
    expect(() => retentionDueTester({ trigger: 'created', period: 'P0D' }, new Date())).toThrow(InvalidDurationError);
    const test = retentionDueTester({ trigger: 'created', period: 'P1Y' }, new Date());
    expect(() => test({ createdAt: new Date('nope') })).toThrow(RangeError);
  });
});

describe('describeDuration', () => {
  it.each([
    ['P1Y', '1 rok', '1 year'],
    ['P2Y', '2 lata', '2 years'],
    ['P4Y', '4 lata', '4 years'],
    ['P5Y', '5 lat', '5 years'],
    ['P12Y', '12 lat', '12 years'],
    ['P14Y', '14 lat', '14 years'],
    ['P20Y', '20 lat', '20 years'],
    ['P22Y', '22 lata', '22 years'],
    ['P21Y', '21 lat', '21 years'],
    ['P101Y', '101 lat', '101 years'],
    ['P112Y', '112 lat', '112 years'],
    ['P122Y', '122 lata', '122 years'],
    ['P3650D', '3650 dni', '3650 days'],
    ['P1M', '1 miesiąc', '1 month'],
    ['P3M', '3 miesiące', '3 months'],
    ['P6M', '6 miesięcy', '6 months'],
    ['P12M', '12 miesięcy', '12 months'],
    ['P24M', '24 miesiące', '24 months'],
    ['P1W', '1 tydzień', '1 week'],
    ['P2W', '2 tygodnie', '2 weeks'],
    ['P5W', '5 tygodni', '5 weeks'],
    ['P1D', '1 dzień', '1 day'],
    ['P2D', '2 dni', '2 days'],
    ['P21D', '21 dni', '21 days'],
    ['P30D', '30 dni', '30 days'],
    ['PT1H', '1 godzina', '1 hour'],
    ['PT12H', '12 godzin', '12 hours'],
    ['PT22H', '22 godziny', '22 hours'],
    ['PT1M', '1 minuta', '1 minute'],
    ['PT3S', '3 sekundy', '3 seconds'],
    ['P1Y6M', '1 rok i 6 miesięcy', '1 year and 6 months'],
    ['P1Y6M15D', '1 rok, 6 miesięcy i 15 dni', '1 year, 6 months and 15 days'],
    ['PT1H30M', '1 godzina i 30 minut', '1 hour and 30 minutes'],
    ['P0Y6M', '6 miesięcy', '6 months'],
  ])('%s -> %s / %s', (period, pl, en) => {
    expect(describeDuration(period, 'pl')).toBe(pl);
    expect(describeDuration(period, 'en')).toBe(en);
  });
});

describe('describeRetention', () => {
  it.each<[RetentionTrigger, string, string, string]>([
    ['last_activity', 'P2Y', '2 lata od ostatniej aktywności', '2 years from the last activity'],
    ['last_activity', 'P1Y', '1 rok od ostatniej aktywności', '1 year from the last activity'],
    [
      'end_of_year_after_last_entry',
      'P5Y',
      '5 lat od końca roku, w którym dokonano ostatniego wpisu',
      '5 years from the end of the year in which the last entry was made',
    ],
    [
      'end_of_year_after_last_entry',
      'P20Y',
      '20 lat od końca roku, w którym dokonano ostatniego wpisu',
      '20 years from the end of the year in which the last entry was made',
    ],
    [
      'consent_withdrawn',
      'P3Y',
      'do wycofania zgody, następnie 3 lata od jej wycofania',
      'until consent is withdrawn, then 3 years from its withdrawal',
    ],
    ['contract_ended', 'P1Y', '1 rok od zakończenia umowy', '1 year from the end of the contract'],
    ['request_completed', 'P30D', '30 dni od zrealizowania żądania', '30 days from the completion of the request'],
    [
      'created',
      'P1Y6M',
      '1 rok i 6 miesięcy od utworzenia rekordu',
      '1 year and 6 months from the creation of the record',
    ],
  ])('%s %s', (trigger, period, pl, en) => {
    expect(describeRetention({ trigger, period }, 'pl')).toBe(pl);
    expect(describeRetention({ trigger, period }, 'en')).toBe(en);
  });

  it('says when a period runs to the end of the calendar year', () => {
    const rule: RetentionRule = { trigger: 'consent_withdrawn', period: 'P3Y', roundToYearEnd: true };
    expect(describeRetention(rule, 'pl')).toBe(
      'do wycofania zgody, następnie 3 lata od jej wycofania, do końca roku kalendarzowego',
    );
    expect(describeRetention(rule, 'en')).toBe(
      'until consent is withdrawn, then 3 years from its withdrawal, to the end of that calendar year',
    );
  });

  it.each(RETENTION_TRIGGERS)('has words for %s in both languages', (trigger) => {
    for (const lang of ['pl', 'en'] as const) {
      const text = describeRetention({ trigger, period: 'P2Y' }, lang);
      expect(text).toContain(lang === 'pl' ? '2 lata' : '2 years');
      expect(text).not.toMatch(/undefined|null/);
    }
  });

  it('refuses a broken period and an unknown trigger', () => {
    expect(() => describeRetention({ trigger: 'created', period: 'forever' }, 'pl')).toThrow(InvalidDurationError);
    expect(() => describeRetention({ trigger: 'whenever' as RetentionTrigger, period: 'P1Y' }, 'en')).toThrow(
      RangeError,
    );
  });
});
