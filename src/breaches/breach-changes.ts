import { FieldError, ProblemError } from '../common/problem/problem.error';
import { Breach, BreachStatus, RiskAssessment } from './breach.entity';
import { FieldChanges } from './breach-event.entity';

/** Fields staff may set directly. `status` only moves forward here; `notified` comes from recording a notification. */
export interface BreachInput {
  description?: string;
  occurredAt?: Date | null;
  awareAt?: Date;
  reportedBy?: string;
  dataCategories?: string[];
  subjectCategories?: string[];
  systems?: string[];
  approxSubjects?: number | null;
  approxRecords?: number | null;
  likelyConsequences?: string | null;
  measuresTaken?: string | null;
  measuresProposed?: string | null;
  riskAssessment?: RiskAssessment | null;
  riskReasoning?: string | null;
  status?: BreachStatus.Contained | BreachStatus.Closed;
  containedAt?: Date | null;
  closedAt?: Date;
}

export type BreachState = Omit<Breach, 'id' | 'createdAt' | 'updatedAt'>;

// Clients' clocks drift; a timestamp a few minutes ahead is a clock, not a claim about the future.
export const CLOCK_SKEW_MS = 5 * 60_000;

export const EMPTY_BREACH: BreachState = {
  description: '',
  occurredAt: null,
  awareAt: new Date(0),
  reportedBy: '',
  dataCategories: [],
  subjectCategories: [],
  systems: [],
  approxSubjects: null,
  approxRecords: null,
  likelyConsequences: null,
  measuresTaken: null,
  measuresProposed: null,
  riskAssessment: null,
  riskReasoning: null,
  status: BreachStatus.Open,
  containedAt: null,
  closedAt: null,
  authorityNotifiedAt: null,
};

const comparable = (v: unknown): string => JSON.stringify(v instanceof Date ? v.toISOString() : (v ?? null));
const plain = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : (v ?? null));

/**
 * Applies a change to an incident and returns the next state with the fields that really changed (values
 * included: they describe an incident, not a person). Throws the problem a client should see.
 */
export function applyBreachInput(
  current: BreachState,
  input: BreachInput,
  now: Date,
): { next: BreachState; changes: FieldChanges } {
  if (current.status === BreachStatus.Closed) {
    throw new ProblemError('invalid_transition', 'A closed incident cannot be changed.');
  }
  if (input.awareAt && current.authorityNotifiedAt && input.awareAt.getTime() !== current.awareAt.getTime()) {
    // The notification told UODO when the controller became aware; rewriting it afterwards would rewrite the record.
    throw new ProblemError('invalid_transition', 'awareAt cannot change once the authority has been notified.');
  }
  const { status, ...fields } = input;
  const next: BreachState = { ...current };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;

  if (status === BreachStatus.Contained) {
    if (current.status !== BreachStatus.Open && current.status !== BreachStatus.Contained) {
      throw new ProblemError('invalid_transition', `A ${current.status} incident cannot become contained.`);
    }
    next.status = BreachStatus.Contained;
    next.containedAt ??= now;
  } else if (status === BreachStatus.Closed) {
    assertClosable(next);
    next.status = BreachStatus.Closed;
    next.closedAt ??= now;
  } else if (input.closedAt) {
    throw new ProblemError('invalid_transition', 'closedAt is set by closing the incident (status: closed).');
  }
  // Containment is a fact: recording when it happened moves an open incident on.
  if (next.containedAt && next.status === BreachStatus.Open) next.status = BreachStatus.Contained;
  if (!next.containedAt && next.status === BreachStatus.Contained) next.status = BreachStatus.Open;

  assertTimeline(next, now);
  if (next.riskAssessment && !next.riskReasoning?.trim()) {
    // Art. 33(5): the documentation must let the authority verify the assessment, so the reasons are kept with it.
    throw invalid([{ field: 'riskReasoning', message: 'riskReasoning is required when riskAssessment is set' }]);
  }

  const changes: FieldChanges = {};
  for (const key of Object.keys(next) as (keyof BreachState)[]) {
    if (comparable(next[key]) !== comparable(current[key]))
      changes[key] = { from: plain(current[key]), to: plain(next[key]) };
  }
  return { next, changes };
}

function assertClosable(b: BreachState): void {
  if (!b.riskAssessment) {
    throw new ProblemError('invalid_transition', 'Assess the risk (riskAssessment) before closing the incident.');
  }
  if (b.riskAssessment !== RiskAssessment.None && !b.authorityNotifiedAt) {
    // Art. 33(1): a breach likely to result in a risk is notified to the authority; it cannot be closed without it.
    throw new ProblemError('invalid_transition', 'Record the notification to the authority before closing.');
  }
}

function assertTimeline(b: BreachState, now: Date): void {
  const errors: FieldError[] = [];
  const limit = now.getTime() + CLOCK_SKEW_MS;
  const future = (field: keyof BreachState, d: Date | null) => {
    if (d && d.getTime() > limit) errors.push({ field, message: `${field} must not be in the future` });
  };
  future('occurredAt', b.occurredAt);
  future('awareAt', b.awareAt);
  future('containedAt', b.containedAt);
  future('closedAt', b.closedAt);
  if (b.occurredAt && b.occurredAt > b.awareAt) {
    errors.push({ field: 'occurredAt', message: 'occurredAt must not be after awareAt' });
  }
  if (b.occurredAt && b.containedAt && b.containedAt < b.occurredAt) {
    errors.push({ field: 'containedAt', message: 'containedAt must not be before occurredAt' });
  }
  if (b.closedAt && b.closedAt < b.awareAt) {
    errors.push({ field: 'closedAt', message: 'closedAt must not be before awareAt' });
  }
  if (errors.length) throw invalid(errors);
}

const invalid = (errors: FieldError[]) =>
  new ProblemError('validation_failed', 'The request is not valid.', { errors });
