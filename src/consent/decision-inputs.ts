import type { PurposeRulesRow } from './consent-decision.sql';
import type { PurposeRules, StateFacts, SubjectFacts } from './consent-rules';
import type { DecisionInputRow } from './decision-rows.repository';

// What the decision statements select, as the rules read it: one mapping each, for the single check, the batch, the
// audience and the decision rows alike.

/** A consent_state row as the rules read it (the columns the decision statements select). */
export const stateFromRow = (
  r: Pick<
    DecisionInputRow,
    | 'status'
    | 'event_id'
    | 'version'
    | 'granted_at'
    | 'expires_at'
    | 'pending'
    | 'expressed_by'
    | 'suppressed'
    | 'confirmed_at'
  >,
): StateFacts => ({
  status: r.status!,
  eventId: r.event_id!,
  lastSeq: '0',
  version: r.version!,
  locale: '',
  textSha256: '',
  grantedAt: r.granted_at,
  confirmedAt: r.confirmed_at,
  expiresAt: r.expires_at,
  pending: r.pending!,
  expressedBy: r.expressed_by!,
  suppressed: r.suppressed!,
});

/** The survivor's facts as `survivorFactColumns` selects them (the objections may be null where no subject was found). */
export const factsFromRow = (r: {
  subject_status: SubjectFacts['status'];
  minor_until: string | null;
  objected: boolean | null;
  objected_purpose: boolean | null;
}): SubjectFacts => ({
  status: r.subject_status,
  minorUntil: r.minor_until,
  objectedToDirectMarketing: r.objected === true,
  objectedToPurpose: r.objected_purpose === true,
});

/** A purpose's rules from its columns. */
export const rulesFromRow = (r: PurposeRulesRow): PurposeRules => ({
  legalBasis: r.legal_basis,
  marketing: r.marketing,
  minimumAge: r.minimum_age,
  reconsentFromVersion: r.reconsent_from_version,
});
