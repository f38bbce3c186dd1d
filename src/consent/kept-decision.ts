import type { DecisionOutcome } from './consent-rules';
import type { DecisionOneRow } from './consent-decision.sql';
import { DecisionReason } from './consent.types';
import type { KeptDecision } from './decision-rows.repository';

export interface Decision extends DecisionOutcome {
  consentId?: string;
  version?: number;
  grantedAt?: string;
  /** Until when time alone leaves this answer as it is (a grant's expiry, a child's birthday); absent: never. */
  validUntil?: string;
}

/**
 * A kept row as an answer, into `result` (a batch's entry already holds the input under its field's name): the fields
 * `decideFor` gives for the decision it holds, in its order, set one by one (a batch builds 10,000 of these).
 */
export function keptInto(result: Record<string, unknown>, r: KeptDecision, suppressed: boolean): Decision {
  const answer = result as unknown as Decision;
  const reason = suppressed ? r.reason_if_suppressed : r.reason;
  answer.allowed = reason === DecisionReason.Granted || reason === DecisionReason.LegalBasis;
  answer.reason = reason;
  if (r.answer_valid_until) answer.validUntil = r.answer_valid_until;
  if (r.event_id) {
    answer.consentId = r.event_id;
    answer.version = r.version!;
    if (r.granted_at) answer.grantedAt = r.granted_at;
  }
  return answer;
}

/** The single check's kept row, from the `kept_*` columns of its statement. */
export function keptOfOne(r: DecisionOneRow): KeptDecision {
  return {
    subject_id: r.kept_subject_id!,
    reason: r.kept_reason!,
    reason_if_suppressed: r.kept_reason_if_suppressed!,
    event_id: r.kept_event_id ?? null,
    version: r.kept_version ?? null,
    granted_at: r.kept_granted_at ?? null,
    answer_valid_until: r.kept_answer_valid_until ?? null,
  };
}
