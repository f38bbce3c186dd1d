import { BreachStatus, RiskAssessment } from './breach.entity';
import { deadlineOf, isLateNotification, notifyAuthorityBy } from './breach-deadline';

const awareAt = new Date('2025-03-28T10:00:00Z');
const base = { awareAt, riskAssessment: null, status: BreachStatus.Open, authorityNotifiedAt: null };
const at = (iso: string) => new Date(iso);

describe('the 72-hour clock (Art. 33(1))', () => {
  it('is 72 hours of wall time from awareness, across a DST change and a weekend', () => {
    // Europe/Warsaw moves to summer time on 30 March 2025: hours, not calendar days, are counted.
    expect(notifyAuthorityBy(awareAt).toISOString()).toBe('2025-03-31T10:00:00.000Z');
  });

  it.each([
    ['just aware', '2025-03-28T10:00:00Z', { hoursLeft: 72, atRisk: false, overdue: false }],
    ['49 hours in', '2025-03-30T11:00:00Z', { hoursLeft: 23, atRisk: true, overdue: false }],
    ['exactly 24 hours left', '2025-03-30T10:00:00Z', { hoursLeft: 24, atRisk: true, overdue: false }],
    ['24 hours and a minute left', '2025-03-30T09:59:00Z', { hoursLeft: 24, atRisk: false, overdue: false }],
    ['at the deadline', '2025-03-31T10:00:00Z', { hoursLeft: 0, atRisk: true, overdue: false }],
    ['a minute late', '2025-03-31T10:01:00Z', { hoursLeft: 0, atRisk: false, overdue: true }],
    ['a day late', '2025-04-01T10:00:00Z', { hoursLeft: -24, atRisk: false, overdue: true }],
  ])('%s', (_name, now, expected) => {
    expect(deadlineOf(base, at(now))).toMatchObject({ ...expected, running: true, notifiedAt: null });
  });

  it('stops once the authority is notified, and says whether that was late', () => {
    const onTime = deadlineOf({ ...base, authorityNotifiedAt: at('2025-03-31T09:00:00Z') }, at('2025-04-05T00:00:00Z'));
    expect(onTime).toMatchObject({
      running: false,
      hoursLeft: null,
      overdue: false,
      atRisk: false,
      notifiedLate: false,
    });
    const late = deadlineOf({ ...base, authorityNotifiedAt: at('2025-03-31T10:00:01Z') }, at('2025-04-05T00:00:00Z'));
    expect(late).toMatchObject({ running: false, notifiedLate: true, notifiedAt: '2025-03-31T10:00:01.000Z' });
  });

  it('does not run for a breach unlikely to result in a risk, nor for a closed one', () => {
    const later = at('2025-04-10T00:00:00Z');
    expect(deadlineOf({ ...base, riskAssessment: RiskAssessment.None }, later)).toMatchObject({
      running: false,
      overdue: false,
    });
    expect(deadlineOf({ ...base, status: BreachStatus.Closed }, later)).toMatchObject({
      running: false,
      overdue: false,
    });
    expect(deadlineOf({ ...base, riskAssessment: RiskAssessment.HighRisk }, later)).toMatchObject({ overdue: true });
  });

  it('calls a notification late only strictly after the 72 hours', () => {
    expect(isLateNotification(awareAt, at('2025-03-31T10:00:00Z'))).toBe(false);
    expect(isLateNotification(awareAt, at('2025-03-31T10:00:00.001Z'))).toBe(true);
  });
});
