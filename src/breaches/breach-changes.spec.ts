import { ProblemError } from '../common/problem/problem.error';
import { applyBreachInput, BreachState, EMPTY_BREACH } from './breach-changes';
import { BreachStatus, RiskAssessment } from './breach.entity';

const now = new Date('2025-05-10T12:00:00Z');
const d = (iso: string) => new Date(iso);
const created = applyBreachInput(
  EMPTY_BREACH,
  { description: 'Backup disk lost', awareAt: d('2025-05-09T08:00:00Z'), reportedBy: 'IT', systems: ['crm'] },
  now,
).next;

function problem(fn: () => unknown): ProblemError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('expected a problem');
}

describe('changing an incident', () => {
  it('records every field given at creation, with its value, and starts open', () => {
    const { next, changes } = applyBreachInput(
      EMPTY_BREACH,
      { description: 'Backup disk lost', awareAt: d('2025-05-09T08:00:00Z'), reportedBy: 'IT', systems: ['crm'] },
      now,
    );
    expect(next.status).toBe(BreachStatus.Open);
    expect(changes).toEqual({
      description: { from: '', to: 'Backup disk lost' },
      awareAt: { from: '1970-01-01T00:00:00.000Z', to: '2025-05-09T08:00:00.000Z' },
      reportedBy: { from: '', to: 'IT' },
      systems: { from: [], to: ['crm'] },
    });
  });

  it('reports only what really changed', () => {
    expect(applyBreachInput(created, { description: 'Backup disk lost', systems: ['crm'] }, now).changes).toEqual({});
    expect(applyBreachInput(created, { approxRecords: 1200 }, now).changes).toEqual({
      approxRecords: { from: null, to: 1200 },
    });
  });

  it('moves to contained when containment is recorded, with now as the default time', () => {
    const byStatus = applyBreachInput(created, { status: BreachStatus.Contained }, now);
    expect(byStatus.next).toMatchObject({ status: 'contained', containedAt: now });
    const byTime = applyBreachInput(created, { containedAt: d('2025-05-09T20:00:00Z') }, now);
    expect(byTime.next.status).toBe('contained');
    expect(applyBreachInput(byTime.next, { containedAt: null }, now).next.status).toBe('open');
  });

  it('requires the reasoning with a risk assessment (Art. 33(5))', () => {
    const p = problem(() => applyBreachInput(created, { riskAssessment: RiskAssessment.HighRisk }, now));
    expect(p.code).toBe('validation_failed');
    expect(p.extras.errors?.map((e) => e.field)).toEqual(['riskReasoning']);
    const ok = applyBreachInput(
      created,
      { riskAssessment: RiskAssessment.HighRisk, riskReasoning: 'Health data' },
      now,
    );
    expect(ok.next.riskAssessment).toBe('high_risk');
  });

  it('refuses a timeline that cannot be: occurred after awareness, awareness in the future', () => {
    const after = problem(() => applyBreachInput(created, { occurredAt: d('2025-05-09T09:00:00Z') }, now));
    expect(after.extras.errors?.map((e) => e.field)).toEqual(['occurredAt']);
    const future = problem(() => applyBreachInput(created, { awareAt: d('2025-05-11T00:00:00Z') }, now));
    expect(future.extras.errors?.map((e) => e.field)).toEqual(['awareAt']);
    // A clock a few minutes fast is not a claim about the future.
    expect(applyBreachInput(created, { awareAt: d('2025-05-10T12:03:00Z') }, now).next.awareAt).toEqual(
      d('2025-05-10T12:03:00Z'),
    );
  });

  it('closes only an assessed incident, and one with a risk only once UODO has been notified (Art. 33(1))', () => {
    expect(problem(() => applyBreachInput(created, { status: BreachStatus.Closed }, now)).code).toBe(
      'invalid_transition',
    );
    const risky: BreachState = { ...created, riskAssessment: RiskAssessment.Risk, riskReasoning: 'r' };
    expect(problem(() => applyBreachInput(risky, { status: BreachStatus.Closed }, now)).code).toBe(
      'invalid_transition',
    );
    const notified = { ...risky, status: BreachStatus.Notified, authorityNotifiedAt: d('2025-05-10T08:00:00Z') };
    expect(applyBreachInput(notified, { status: BreachStatus.Closed }, now).next).toMatchObject({
      status: 'closed',
      closedAt: now,
    });
    const harmless: BreachState = { ...created, riskAssessment: RiskAssessment.None, riskReasoning: 'Encrypted disk' };
    expect(applyBreachInput(harmless, { status: BreachStatus.Closed }, now).next.status).toBe('closed');
  });

  it('keeps a closed incident and the awareness time told to UODO as they are', () => {
    const closed = { ...created, status: BreachStatus.Closed };
    expect(problem(() => applyBreachInput(closed, { approxRecords: 1 }, now)).code).toBe('invalid_transition');
    const notified = { ...created, status: BreachStatus.Notified, authorityNotifiedAt: d('2025-05-10T08:00:00Z') };
    expect(problem(() => applyBreachInput(notified, { awareAt: d('2025-05-09T07:00:00Z') }, now)).code).toBe(
      'invalid_transition',
    );
    expect(problem(() => applyBreachInput(notified, { status: BreachStatus.Contained }, now)).code).toBe(
      'invalid_transition',
    );
  });
});
