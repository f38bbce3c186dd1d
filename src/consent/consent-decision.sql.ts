// The consent decision's statements (single, batch, audience). They read the subjects module's tables
// through the fragments it publishes (src/subjects/subject-facts.sql.ts): one statement per check on the hot
// path instead of a subjects call and then a consent query (docs/ARCHITECTURE.md, "The consent decision joins
// subjects in one statement").
import {
  blindIndexOwnersJoin,
  identifierSuppressed,
  soleOwnerOfBlindIndex,
  subjectFactsLateral,
  survivorFactColumns,
  survivorId,
  survivorJoins,
} from '../subjects';
import { Channel, ConsentDecision, DecisionReason, ExpressedBy, LegalBasis } from './consent.types';
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Exported so a test can EXPLAIN exactly what runs: both must be index scans (consent_state_pkey, ix_consent_state_audience). */
export const DECISION_ROWS_SQL = `
  SELECT p.legal_basis, p.marketing, p.minimum_age, p.reconsent_from_version, p.channels,
         s.subject_id, s.channel, s.status, s.event_id, s.version, s.granted_at, s.expires_at, s.pending,
         s.expressed_by, s.suppressed, s.confirmed_at
    FROM purposes p
    LEFT JOIN consent_state s ON s.purpose_key = p.key AND s.subject_id = ANY($2::uuid[])
   WHERE p.key = $1`;

/**
 * The single decision in one round trip: the purpose's rules, the subject's facts (followed to the
 * survivor when the id was merged away, as SubjectsService.getDecisionFacts does) and every state of
 * the survivor for that purpose. Read fresh on every call: consent state, restriction and objection are
 * never cached, so a withdrawal is honoured by the very next check. $2 null: no subject (unknown).
 */
const DECISION_ONE_SELECT = `
  SELECT p.legal_basis, p.marketing, p.minimum_age, p.reconsent_from_version, p.channels,
         f.id AS resolved_id, f.subject_status, f.minor_until, f.objected, f.objected_purpose,
         s.subject_id, s.channel, s.status, s.event_id, s.version, s.granted_at, s.expires_at, s.pending,
         s.expressed_by, s.suppressed, s.confirmed_at`;

/** Times as the answers write them (ISO 8601, milliseconds, UTC), so no Date is parsed only to be printed again. */
export const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The subject `o.id`'s kept decision row on the channel (`channel`) when it is current (issue 16 item 1), and only
 * when there is none, the facts and states to decide from (the lateral's condition gates the subjects' read).
 */
const KEPT_ONE_COLUMNS = `
         d.subject_id::text AS kept_subject_id, d.reason AS kept_reason,
         d.reason_if_suppressed AS kept_reason_if_suppressed, d.event_id AS kept_event_id,
         d.version AS kept_version, ${isoTime('d.granted_at')} AS kept_granted_at,
         ${isoTime('d.answer_valid_until')} AS kept_answer_valid_until`;
const keptOrFactsJoins = (channel: string) => `
    LEFT JOIN decision_rows d ON d.purpose_key = p.key AND d.channel = ${channel} AND d.subject_id = o.id
          AND (d.valid_until IS NULL OR d.valid_until > now())${subjectFactsLateral('o.id', '$1', 'd.subject_id IS NULL')}
    LEFT JOIN consent_state s ON s.purpose_key = p.key AND s.subject_id = f.id
   WHERE p.key = $1`;

/** By id ($2) on the channel ($3). */
export const DECISION_BY_ID_SQL = `${DECISION_ONE_SELECT}, false AS identifier_suppressed,${KEPT_ONE_COLUMNS}
    FROM purposes p
    CROSS JOIN (SELECT $2::uuid AS id) o${keptOrFactsJoins('$3')}`;

/**
 * The same by identifier: the owner of the blind index ($3; none when several systems share it, as
 * SubjectLookup.findId answers), on the channel ($5), and whether the identifier is on the suppression list ($4).
 */
export const DECISION_BY_IDENTIFIER_SQL = `${DECISION_ONE_SELECT},
         ${identifierSuppressed('$2', '$4')} AS identifier_suppressed,${KEPT_ONE_COLUMNS}
    FROM purposes p
    CROSS JOIN ${soleOwnerOfBlindIndex('$2', '$3')} o${keptOrFactsJoins('$5')}`;

/** The purpose's rules alone: the batch decision reads them beside its subjects query, not on every row. */
export const PURPOSE_RULES_SQL = `
  SELECT legal_basis, marketing, minimum_age, reconsent_from_version, channels FROM purposes WHERE key = $1`;

// One row per key (`n`, its 1-based position in the array given): the survivor's facts (a merged id
// answers with its survivor's, as getDecisionFacts), its state for the purpose ($1) on the channel ($2)
// and, only where it has none, whether a current grant exists on another channel (which turns no_consent
// into channel_not_consented). One row and fourteen columns per key keep row parsing, not SQL, from
// dominating a 10,000-entry batch.
const BATCH_COLUMNS = `k.n::int AS n, ${survivorId()} AS resolved_id, ${survivorFactColumns('g', 'v', '         ', '$1')},
         s.status, s.event_id, s.version, s.granted_at, s.expires_at, s.pending, s.expressed_by, s.suppressed,
         s.confirmed_at,
         CASE WHEN s.status IS NULL THEN EXISTS (
           SELECT 1 FROM consent_state o
            WHERE o.subject_id = ${survivorId()} AND o.purpose_key = $1 AND o.channel <> $2
              AND o.status = 'granted' AND NOT o.pending AND (o.expires_at IS NULL OR o.expires_at > now())
         ) ELSE false END AS granted_elsewhere`;
const batchJoins = (id: string) => `${survivorJoins(id)}
    LEFT JOIN consent_state s ON s.subject_id = ${survivorId()} AND s.purpose_key = $1 AND s.channel = $2`;

/** The batch decision by subject ids ($3); unknown ids give no row. */
export const BATCH_BY_ID_SQL = `
  SELECT ${BATCH_COLUMNS}
    FROM unnest($3::uuid[]) WITH ORDINALITY AS k (id, n)
    ${batchJoins('k.id')}`;

/**
 * The batch decision by blind indexes ($4, of kind $3): owners, their survivors' facts and states in one
 * statement, where finding the owners first and then reading facts and states took two round trips.
 * An index several subjects share (external ids across systems) gives a row per owner.
 */
export const BATCH_BY_INDEX_SQL = `
  SELECT ${BATCH_COLUMNS}
    FROM unnest($4::bytea[]) WITH ORDINALITY AS k (blind_index, n)
    ${blindIndexOwnersJoin('i', '$3', 'k.blind_index')}
    ${batchJoins('i.subject_id')}`;

/**
 * One keyset page of the audience with the subject facts the rules need (the survivor's, should a merge
 * race the read), so a page is one statement rather than the page and then its subjects.
 */
export const AUDIENCE_PAGE_SQL = `
  SELECT c.subject_id, c.version, c.expressed_by, c.suppressed, c.confirmed_at,
         ${survivorFactColumns('s', 'v', '         ', '$1')}
    FROM consent_state c
    ${survivorJoins('c.subject_id', 's', 'v')}
   WHERE c.purpose_key = $1 AND c.channel = $2 AND c.status = 'granted' AND NOT c.pending
     AND (c.expires_at IS NULL OR c.expires_at > now())
     AND c.subject_id > $3::uuid
     -- Redundant, but without it a merge join reads subjects from the first id on every page.
     AND s.id > $3::uuid
   ORDER BY c.subject_id LIMIT $4`;

export interface AudienceRow {
  subject_id: string;
  version: number;
  expressed_by: ExpressedBy;
  suppressed: boolean;
  confirmed_at: Date | null;
  subject_status: 'active' | 'restricted' | 'erased';
  minor_until: string | null;
  objected: boolean;
  objected_purpose: boolean;
}

/** One row of the decision query: the purpose's rules and, when any, one consent state. */
export interface DecisionRow {
  legal_basis: LegalBasis;
  marketing: boolean;
  minimum_age: number;
  reconsent_from_version: number;
  channels: Channel[];
  subject_id: string | null;
  channel: Channel | null;
  status: ConsentDecision | null;
  event_id: string | null;
  version: number | null;
  granted_at: Date | null;
  expires_at: Date | null;
  pending: boolean | null;
  expressed_by: ExpressedBy | null;
  suppressed: boolean | null;
  confirmed_at: Date | null;
}

export interface PurposeRulesRow {
  legal_basis: LegalBasis;
  marketing: boolean;
  minimum_age: number;
  reconsent_from_version: number;
  channels: Channel[];
}

/** A row of the batch decision: the key's position, the survivor's facts and its state on the channel. */
export interface BatchDecisionRow {
  n: number;
  resolved_id: string;
  subject_status: 'active' | 'restricted' | 'erased';
  minor_until: string | null;
  objected: boolean;
  objected_purpose: boolean;
  status: ConsentDecision | null;
  event_id: string | null;
  version: number | null;
  granted_at: Date | null;
  expires_at: Date | null;
  pending: boolean | null;
  expressed_by: ExpressedBy | null;
  suppressed: boolean | null;
  confirmed_at: Date | null;
  granted_elsewhere: boolean;
}

/** A row of the single decision: DecisionRow with the subject's facts (null columns: unknown subject). */
export interface DecisionOneRow extends DecisionRow {
  /** By id only: the kept decision row, when current (null columns: none). */
  kept_subject_id?: string | null;
  kept_reason?: DecisionReason | null;
  kept_reason_if_suppressed?: DecisionReason | null;
  kept_event_id?: string | null;
  kept_version?: number | null;
  kept_granted_at?: string | null;
  kept_answer_valid_until?: string | null;
  resolved_id: string | null;
  subject_status: 'active' | 'restricted' | 'erased' | null;
  minor_until: string | null;
  objected: boolean | null;
  objected_purpose: boolean | null;
  identifier_suppressed: boolean;
}

export interface RetentionStateRow {
  subject_id: string;
  purpose_key: string;
  status: ConsentDecision;
  pending: boolean;
  expires_at: Date | null;
  decided_at: Date;
}
