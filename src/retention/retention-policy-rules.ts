import { DateTime } from 'luxon';
import type { FieldError } from '../common/problem/problem.error';
import { InvalidDurationError, parseIsoDuration, RetentionTrigger } from './retention-due';
import { DESTRUCTIVE_ACTIONS, RetentionAction } from './retention.types';

/** Zgoda's own store, as registered among the data systems (migration 1763800001000). */
export const ZGODA_SYSTEM = 'zgoda';

// A period longer than this is a typing error, not a retention rule, and would overflow date arithmetic.
const MAX_PERIOD_YEARS = 100;

export interface PolicyFields {
  dataCategory: string | null;
  purpose: string | null;
  system: string | null;
  trigger: RetentionTrigger;
  period: string;
  action: RetentionAction;
}

/** The rules a policy must satisfy whatever the database holds; [] when it does. */
export function policyErrors(p: PolicyFields): FieldError[] {
  const errors: FieldError[] = [];
  if ((p.dataCategory === null) === (p.purpose === null)) {
    errors.push({ field: 'dataCategory', message: 'give exactly one of dataCategory and purpose' });
  }
  try {
    const period = parseIsoDuration(p.period);
    const epoch = DateTime.fromMillis(0, { zone: 'UTC' });
    if (epoch.plus(period) > epoch.plus({ years: MAX_PERIOD_YEARS })) {
      errors.push({ field: 'period', message: `period may be at most ${MAX_PERIOD_YEARS} years` });
    }
  } catch (e) {
    if (!(e instanceof InvalidDurationError)) throw e;
    errors.push({ field: 'period', message: e.message });
  }
  // Zgoda can only destroy what it holds; data in another system is that system's to erase (requests
  // module tasks) or a person's to review.
  if (DESTRUCTIVE_ACTIONS.includes(p.action) && p.system !== null && p.system !== ZGODA_SYSTEM) {
    errors.push({
      field: 'action',
      message: `Zgoda cannot ${p.action} data held in system ${p.system}; use action review`,
    });
  }
  return errors;
}
