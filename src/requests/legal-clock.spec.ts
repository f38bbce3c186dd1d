import { DateTime } from 'luxon';
import { canExtend, computeDueAt, computeDueDate, ExtensionMonths } from './legal-clock';
import { isPolishPublicHoliday } from './polish-holidays';

// Expected dates below were worked out by hand on the real calendar (weekdays checked against `date`),
// with Warsaw at UTC+1 in winter and UTC+2 in summer (DST 2024: 31 Mar-27 Oct, 2025: 30 Mar-26 Oct,
// 2026: 29 Mar-25 Oct, 2027: 28 Mar-31 Oct), so the end of a day is 22:59:59.999Z or 21:59:59.999Z.
type Skip = [date: string, reason: 'saturday' | 'sunday' | 'public_holiday', holiday?: string];

interface Case {
  name: string;
  receivedAt: string;
  receivedLocalDate: string;
  nominalEndDate: string;
  endOfMonthClamped: boolean;
  skipped: Skip[];
  dueDate: string;
  dueAt: string;
}

const cases: Case[] = [
  {
    name: '31 Jan 2025 -> 28 Feb 2025 (Fri): the 31st does not exist, last day of February',
    receivedAt: '2025-01-31T10:00:00Z',
    receivedLocalDate: '2025-01-31',
    nominalEndDate: '2025-02-28',
    endOfMonthClamped: true,
    skipped: [],
    dueDate: '2025-02-28',
    dueAt: '2025-02-28T22:59:59.999Z',
  },
  {
    name: '31 Jan 2024 -> 29 Feb 2024 (Thu): leap year',
    receivedAt: '2024-01-31T10:00:00Z',
    receivedLocalDate: '2024-01-31',
    nominalEndDate: '2024-02-29',
    endOfMonthClamped: true,
    skipped: [],
    dueDate: '2024-02-29',
    dueAt: '2024-02-29T22:59:59.999Z',
  },
  {
    name: '30 Jan 2025 -> 28 Feb 2025: clamped too',
    receivedAt: '2025-01-30T10:00:00Z',
    receivedLocalDate: '2025-01-30',
    nominalEndDate: '2025-02-28',
    endOfMonthClamped: true,
    skipped: [],
    dueDate: '2025-02-28',
    dueAt: '2025-02-28T22:59:59.999Z',
  },
  {
    name: '31 Mar 2026 -> 30 Apr 2026 (Thu): clamped, the 1 May holiday after it does not matter',
    receivedAt: '2026-03-31T08:00:00Z',
    receivedLocalDate: '2026-03-31',
    nominalEndDate: '2026-04-30',
    endOfMonthClamped: true,
    skipped: [],
    dueDate: '2026-04-30',
    dueAt: '2026-04-30T21:59:59.999Z',
  },
  {
    name: '29 Feb 2024 -> 29 Mar 2024: Good Friday is a working day in Poland',
    receivedAt: '2024-02-29T10:00:00Z',
    receivedLocalDate: '2024-02-29',
    nominalEndDate: '2024-03-29',
    endOfMonthClamped: false,
    skipped: [],
    dueDate: '2024-03-29',
    dueAt: '2024-03-29T22:59:59.999Z',
  },
  {
    name: '28 Feb 2026 -> 28 Mar 2026 (same date, not the last of March), Sat -> Mon 30 Mar in CEST',
    receivedAt: '2026-02-28T12:00:00Z',
    receivedLocalDate: '2026-02-28',
    nominalEndDate: '2026-03-28',
    endOfMonthClamped: false,
    skipped: [
      ['2026-03-28', 'saturday'],
      ['2026-03-29', 'sunday'],
    ],
    dueDate: '2026-03-30',
    dueAt: '2026-03-30T21:59:59.999Z',
  },
  {
    name: '30 Apr 2026 -> 30 May 2026 is a Saturday -> Mon 1 Jun 2026',
    receivedAt: '2026-04-30T08:00:00Z',
    receivedLocalDate: '2026-04-30',
    nominalEndDate: '2026-05-30',
    endOfMonthClamped: false,
    skipped: [
      ['2026-05-30', 'saturday'],
      ['2026-05-31', 'sunday'],
    ],
    dueDate: '2026-06-01',
    dueAt: '2026-06-01T21:59:59.999Z',
  },
  {
    name: 'received on a Saturday (15 Feb 2025, not moved) -> Sat 15 Mar 2025 -> Mon 17 Mar',
    receivedAt: '2025-02-15T12:00:00Z',
    receivedLocalDate: '2025-02-15',
    nominalEndDate: '2025-03-15',
    endOfMonthClamped: false,
    skipped: [
      ['2025-03-15', 'saturday'],
      ['2025-03-16', 'sunday'],
    ],
    dueDate: '2025-03-17',
    dueAt: '2025-03-17T22:59:59.999Z',
  },
  {
    name: '16 Feb 2025 -> Sun 16 Mar 2025 -> Mon 17 Mar',
    receivedAt: '2025-02-16T12:00:00Z',
    receivedLocalDate: '2025-02-16',
    nominalEndDate: '2025-03-16',
    endOfMonthClamped: false,
    skipped: [['2025-03-16', 'sunday']],
    dueDate: '2025-03-17',
    dueAt: '2025-03-17T22:59:59.999Z',
  },
  {
    name: '11 Oct 2027 -> Thu 11 Nov 2027 (Independence Day) -> Fri 12 Nov, back in CET',
    receivedAt: '2027-10-11T09:00:00Z',
    receivedLocalDate: '2027-10-11',
    nominalEndDate: '2027-11-11',
    endOfMonthClamped: false,
    skipped: [['2027-11-11', 'public_holiday', 'Independence Day']],
    dueDate: '2027-11-12',
    dueAt: '2027-11-12T22:59:59.999Z',
  },
  {
    name: '6 Mar 2026 -> Easter Monday 6 Apr 2026 -> Tue 7 Apr',
    receivedAt: '2026-03-06T09:00:00Z',
    receivedLocalDate: '2026-03-06',
    nominalEndDate: '2026-04-06',
    endOfMonthClamped: false,
    skipped: [['2026-04-06', 'public_holiday', 'Easter Monday']],
    dueDate: '2026-04-07',
    dueAt: '2026-04-07T21:59:59.999Z',
  },
  {
    name: '5 Mar 2026 -> Easter Sunday 5 Apr 2026 -> Easter Monday -> Tue 7 Apr',
    receivedAt: '2026-03-05T09:00:00Z',
    receivedLocalDate: '2026-03-05',
    nominalEndDate: '2026-04-05',
    endOfMonthClamped: false,
    skipped: [
      ['2026-04-05', 'sunday', 'Easter Sunday'],
      ['2026-04-06', 'public_holiday', 'Easter Monday'],
    ],
    dueDate: '2026-04-07',
    dueAt: '2026-04-07T21:59:59.999Z',
  },
  {
    name: '15 Jul 2026 -> Sat 15 Aug 2026 (also Assumption) -> Mon 17 Aug',
    receivedAt: '2026-07-15T09:00:00Z',
    receivedLocalDate: '2026-07-15',
    nominalEndDate: '2026-08-15',
    endOfMonthClamped: false,
    skipped: [
      ['2026-08-15', 'saturday', 'Assumption of Mary'],
      ['2026-08-16', 'sunday'],
    ],
    dueDate: '2026-08-17',
    dueAt: '2026-08-17T21:59:59.999Z',
  },
  {
    name: 'across New Year: 1 Dec 2026 -> Fri 1 Jan 2027 (holiday), Sat 2, Sun 3 -> Mon 4 Jan 2027',
    receivedAt: '2026-12-01T10:00:00Z',
    receivedLocalDate: '2026-12-01',
    nominalEndDate: '2027-01-01',
    endOfMonthClamped: false,
    skipped: [
      ['2027-01-01', 'public_holiday', "New Year's Day"],
      ['2027-01-02', 'saturday'],
      ['2027-01-03', 'sunday'],
    ],
    dueDate: '2027-01-04',
    dueAt: '2027-01-04T22:59:59.999Z',
  },
  {
    name: '24 Nov 2025 -> Wed 24 Dec 2025 (Christmas Eve, a holiday from 2025), 25, 26, weekend -> Mon 29 Dec',
    receivedAt: '2025-11-24T10:00:00Z',
    receivedLocalDate: '2025-11-24',
    nominalEndDate: '2025-12-24',
    endOfMonthClamped: false,
    skipped: [
      ['2025-12-24', 'public_holiday', 'Christmas Eve'],
      ['2025-12-25', 'public_holiday', 'Christmas Day'],
      ['2025-12-26', 'public_holiday', 'Second Day of Christmas'],
      ['2025-12-27', 'saturday'],
      ['2025-12-28', 'sunday'],
    ],
    dueDate: '2025-12-29',
    dueAt: '2025-12-29T22:59:59.999Z',
  },
  {
    name: '24 Nov 2024 -> Tue 24 Dec 2024 stays: Christmas Eve was a working day in 2024',
    receivedAt: '2024-11-24T10:00:00Z',
    receivedLocalDate: '2024-11-24',
    nominalEndDate: '2024-12-24',
    endOfMonthClamped: false,
    skipped: [],
    dueDate: '2024-12-24',
    dueAt: '2024-12-24T22:59:59.999Z',
  },
  {
    name: 'received on a holiday (Wed 11 Nov 2026) is not moved -> Fri 11 Dec 2026',
    receivedAt: '2026-11-11T10:00:00Z',
    receivedLocalDate: '2026-11-11',
    nominalEndDate: '2026-12-11',
    endOfMonthClamped: false,
    skipped: [],
    dueDate: '2026-12-11',
    dueAt: '2026-12-11T22:59:59.999Z',
  },
  {
    name: '2026-01-31T23:30Z is 1 Feb in Warsaw -> Sun 1 Mar 2026 -> Mon 2 Mar (UTC would say 28 Feb, clamped)',
    receivedAt: '2026-01-31T23:30:00Z',
    receivedLocalDate: '2026-02-01',
    nominalEndDate: '2026-03-01',
    endOfMonthClamped: false,
    skipped: [['2026-03-01', 'sunday']],
    dueDate: '2026-03-02',
    dueAt: '2026-03-02T22:59:59.999Z',
  },
  {
    name: '2026-06-14T22:30Z is 15 Jun 00:30 CEST in Warsaw -> Wed 15 Jul 2026',
    receivedAt: '2026-06-14T22:30:00Z',
    receivedLocalDate: '2026-06-15',
    nominalEndDate: '2026-07-15',
    endOfMonthClamped: false,
    skipped: [],
    dueDate: '2026-07-15',
    dueAt: '2026-07-15T21:59:59.999Z',
  },
  {
    name: '2026-06-14T21:59:59.999Z is still 14 Jun in Warsaw -> Tue 14 Jul 2026',
    receivedAt: '2026-06-14T21:59:59.999Z',
    receivedLocalDate: '2026-06-14',
    nominalEndDate: '2026-07-14',
    endOfMonthClamped: false,
    skipped: [],
    dueDate: '2026-07-14',
    dueAt: '2026-07-14T21:59:59.999Z',
  },
];

describe('computeDueDate (Art. 12(3), Reg. 1182/71)', () => {
  it.each(cases)('$name', (c) => {
    const explanation = computeDueDate(new Date(c.receivedAt));

    expect(explanation.receivedLocalDate).toBe(c.receivedLocalDate);
    expect(explanation.nominalEndDate).toBe(c.nominalEndDate);
    expect(explanation.endOfMonthClamped).toBe(c.endOfMonthClamped);
    expect(explanation.skipped.map((s) => [s.date, s.reason, s.holiday].filter((x) => x !== undefined))).toEqual(
      c.skipped,
    );
    expect(explanation.dueDate).toBe(c.dueDate);
    expect(explanation.dueAt).toBe(c.dueAt);
    expect(explanation.extension).toBeNull();
    expect(explanation.finalDueAt).toBe(c.dueAt);
    expect(computeDueAt(new Date(c.receivedAt)).toISOString()).toBe(c.dueAt);
  });

  it('explains itself fully and survives a JSON round trip', () => {
    const explanation = computeDueDate(new Date('2027-10-11T09:00:00Z'));
    expect(explanation).toEqual({
      zone: 'Europe/Warsaw',
      receivedAt: '2027-10-11T09:00:00.000Z',
      receivedLocalDate: '2027-10-11',
      firstDayCounted: '2027-10-12',
      months: 1,
      nominalEndDate: '2027-11-11',
      endOfMonthClamped: false,
      skipped: [
        {
          date: '2027-11-11',
          reason: 'public_holiday',
          holiday: 'Independence Day',
          holidayPl: 'Narodowe Święto Niepodległości',
        },
      ],
      dueDate: '2027-11-12',
      dueAt: '2027-11-12T22:59:59.999Z',
      extension: null,
      finalDueDate: '2027-11-12',
      finalDueAt: '2027-11-12T22:59:59.999Z',
    });
    expect(JSON.parse(JSON.stringify(explanation))).toEqual(explanation);
  });

  it('does not count the day of receipt: the first counted day is the next local day', () => {
    expect(computeDueDate(new Date('2026-01-31T23:30:00Z')).firstDayCounted).toBe('2026-02-02');
    expect(computeDueDate(new Date('2025-12-31T12:00:00Z')).firstDayCounted).toBe('2026-01-01');
  });

  it('uses the given zone for the receipt date (Polish holidays still apply)', () => {
    const explanation = computeDueDate(new Date('2026-01-31T23:30:00Z'), { zone: 'UTC' });
    expect(explanation.receivedLocalDate).toBe('2026-01-31');
    expect(explanation.nominalEndDate).toBe('2026-02-28');
    expect(explanation.endOfMonthClamped).toBe(true);
    expect(explanation.skipped.map((s) => s.date)).toEqual(['2026-02-28', '2026-03-01']);
    expect(explanation.dueAt).toBe('2026-03-02T23:59:59.999Z');
  });

  it.each([
    ['an unknown zone', new Date('2026-01-01T00:00:00Z'), { zone: 'Mars/Olympus' }],
    ['an invalid date', new Date('not a date'), {}],
  ])('refuses %s', (_label, receivedAt, opts) => {
    expect(() => computeDueDate(receivedAt, opts)).toThrow(RangeError);
  });

  // Invariants over every receipt day of four years, checked against the holiday list, not the clock.
  it('always ends on a working day, at the end of that day in Warsaw, after only non-working days', () => {
    for (let day = DateTime.utc(2024, 1, 1); day.year < 2028; day = day.plus({ days: 1 })) {
      const receivedAt = DateTime.fromObject(
        { year: day.year, month: day.month, day: day.day, hour: 12 },
        {
          zone: 'Europe/Warsaw',
        },
      ).toJSDate();
      const e = computeDueDate(receivedAt);
      const due = DateTime.fromISO(e.dueDate, { zone: 'Europe/Warsaw' });
      const nominal = DateTime.fromISO(e.nominalEndDate, { zone: 'utc' });
      const expectedNominal = day.plus({ months: 1 });

      expect(nominal.month).toBe(expectedNominal.month);
      expect(nominal.day).toBe(Math.min(day.day, expectedNominal.daysInMonth as number));
      expect(due.weekday).toBeLessThanOrEqual(5);
      expect(isPolishPublicHoliday(e.dueDate)).toBe(false);
      expect(new Date(e.dueAt).getTime()).toBe(due.endOf('day').toMillis());
      const gap = DateTime.fromISO(e.dueDate, { zone: 'utc' }).diff(nominal, 'days').days;
      expect(e.skipped).toHaveLength(gap);
      for (const skippedDay of e.skipped) {
        const d = DateTime.fromISO(skippedDay.date, { zone: 'utc' });
        expect(d.weekday >= 6 || isPolishPublicHoliday(skippedDay.date)).toBe(true);
      }
    }
  });
});

describe('computeDueDate with an extension (Art. 12(3), second sentence)', () => {
  it('extends by 2 months counted from receipt: 1 Feb 2026 -> Fri 1 May (holiday), Sat 2, Sun 3 May -> Mon 4 May', () => {
    const e = computeDueDate(new Date('2026-02-01T09:00:00Z'), { extensionMonths: 2 });
    expect(e.dueDate).toBe('2026-03-02');
    expect(e.extension).toEqual({
      months: 2,
      totalMonths: 3,
      nominalEndDate: '2026-05-01',
      endOfMonthClamped: false,
      skipped: [
        {
          date: '2026-05-01',
          reason: 'public_holiday',
          holiday: 'Labour Day',
          holidayPl: 'Święto Państwowe (Święto Pracy)',
        },
        { date: '2026-05-02', reason: 'saturday' },
        {
          date: '2026-05-03',
          reason: 'sunday',
          holiday: 'Constitution Day',
          holidayPl: 'Święto Narodowe Trzeciego Maja',
        },
      ],
      dueDate: '2026-05-04',
      dueAt: '2026-05-04T21:59:59.999Z',
    });
    expect(e.finalDueDate).toBe('2026-05-04');
    expect(e.finalDueAt).toBe('2026-05-04T21:59:59.999Z');
  });

  it.each<[string, string, ExtensionMonths, string, boolean, string, string]>([
    // From receipt, not chained from 28 Feb (which would give 28 Apr).
    [
      '31 Jan 2025 + 3 months -> 30 Apr 2025 (Wed)',
      '2025-01-31T10:00:00Z',
      2,
      '2025-04-30',
      true,
      '2025-04-30',
      '2025-04-30T21:59:59.999Z',
    ],
    [
      '31 Jan 2025 + 2 months -> Mon 31 Mar 2025, first day of CEST',
      '2025-01-31T10:00:00Z',
      1,
      '2025-03-31',
      false,
      '2025-03-31',
      '2025-03-31T21:59:59.999Z',
    ],
    [
      '24 Nov 2025 + 2 months -> Sat 24 Jan 2026 -> Mon 26 Jan',
      '2025-11-24T10:00:00Z',
      1,
      '2026-01-24',
      false,
      '2026-01-26',
      '2026-01-26T22:59:59.999Z',
    ],
    [
      '30 Nov 2025 + 3 months -> 28 Feb 2026 (Sat) -> Mon 2 Mar',
      '2025-11-30T10:00:00Z',
      2,
      '2026-02-28',
      true,
      '2026-03-02',
      '2026-03-02T22:59:59.999Z',
    ],
  ])('%s', (_name, receivedAt, months, nominal, clamped, dueDate, dueAt) => {
    const e = computeDueDate(new Date(receivedAt), { extensionMonths: months });
    expect(e.extension?.months).toBe(months);
    expect(e.extension?.nominalEndDate).toBe(nominal);
    expect(e.extension?.endOfMonthClamped).toBe(clamped);
    expect(e.extension?.dueDate).toBe(dueDate);
    expect(e.finalDueAt).toBe(dueAt);
    expect(computeDueAt(new Date(receivedAt), { extensionMonths: months }).toISOString()).toBe(dueAt);
  });

  it('keeps the first-month deadline in the explanation when extended', () => {
    const e = computeDueDate(new Date('2025-01-31T10:00:00Z'), { extensionMonths: 2 });
    expect(e.dueDate).toBe('2025-02-28');
    expect(e.dueAt).toBe('2025-02-28T22:59:59.999Z');
  });

  it.each([3, -1, 1.5])('refuses an extension of %p months (never beyond three months from receipt)', (months) => {
    expect(() =>
      computeDueDate(new Date('2025-01-31T10:00:00Z'), { extensionMonths: months as ExtensionMonths }),
    ).toThrow(RangeError);
  });
});

describe('canExtend', () => {
  // Received Fri 31 Jan 2025; the first month ends Fri 28 Feb 2025 23:59:59.999 Warsaw = 22:59:59.999Z.
  const received = new Date('2025-01-31T10:00:00Z');

  it.each<[string, string, number, number, ReturnType<typeof canExtend>]>([
    ['2 months, well inside the first month', '2025-02-10T10:00:00Z', 0, 2, { ok: true }],
    ['1 month, well inside the first month', '2025-02-10T10:00:00Z', 0, 1, { ok: true }],
    ['at the last millisecond of the first month', '2025-02-28T22:59:59.999Z', 0, 2, { ok: true }],
    [
      'one millisecond after the first month',
      '2025-02-28T23:00:00.000Z',
      0,
      2,
      { ok: false, reason: 'deadline_passed' },
    ],
    ['two weeks late', '2025-03-15T10:00:00Z', 0, 1, { ok: false, reason: 'deadline_passed' }],
    ['3 further months (4 in total)', '2025-02-10T10:00:00Z', 0, 3, { ok: false, reason: 'too_long' }],
    [
      'a second extension, even within three months',
      '2025-02-10T10:00:00Z',
      1,
      1,
      { ok: false, reason: 'already_extended' },
    ],
    ['a second extension after two months', '2025-02-10T10:00:00Z', 2, 1, { ok: false, reason: 'already_extended' }],
    ['a late second extension', '2025-04-10T10:00:00Z', 1, 1, { ok: false, reason: 'already_extended' }],
  ])('%s', (_name, now, current, requested, expected) => {
    expect(canExtend(received, new Date(now), current, requested)).toEqual(expected);
  });

  it('uses the working-day deadline: 30 May 2026 is a Saturday, so Sunday 31 May is still in time', () => {
    const receivedAt = new Date('2026-04-30T08:00:00Z');
    expect(canExtend(receivedAt, new Date('2026-05-31T12:00:00Z'), 0, 2)).toEqual({ ok: true });
    expect(canExtend(receivedAt, new Date('2026-06-01T21:59:59.999Z'), 0, 2)).toEqual({ ok: true });
    expect(canExtend(receivedAt, new Date('2026-06-01T22:00:00.000Z'), 0, 2)).toEqual({
      ok: false,
      reason: 'deadline_passed',
    });
  });

  it('counts the first month from the Warsaw receipt date', () => {
    // Received 1 Feb 2026 in Warsaw: the first month ends Mon 2 Mar 2026 23:59:59.999 CET.
    const receivedAt = new Date('2026-01-31T23:30:00Z');
    expect(canExtend(receivedAt, new Date('2026-03-02T22:30:00Z'), 0, 1)).toEqual({ ok: true });
    expect(canExtend(receivedAt, new Date('2026-03-02T23:00:00Z'), 0, 1)).toEqual({
      ok: false,
      reason: 'deadline_passed',
    });
  });

  it.each([0, -1, 1.5])('refuses a nonsensical request of %p months', (requested) => {
    expect(() => canExtend(received, new Date('2025-02-10T10:00:00Z'), 0, requested)).toThrow(RangeError);
  });
});
