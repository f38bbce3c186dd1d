import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { ConsentEvent } from './consent-event.entity';
import { ConsentEvidence } from './consent-evidence.entity';
import { StateFacts } from './consent-rules';
import { ConsentState } from './consent-state.entity';
import { Channel, ConsentDecision, ExpressedBy, LegalBasis } from './consent.types';

// Namespace of the per-(subject, purpose, channel) advisory locks, apart from every other lock user.
export const CONSENT_LOCK_NAMESPACE = 0x2a0d20;

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Exported so a test can EXPLAIN exactly what runs: both must be index scans (consent_state_pkey, ix_consent_state_audience). */
export const DECISION_ROWS_SQL = `
  SELECT p.legal_basis, p.marketing, p.minimum_age, p.reconsent_from_version, p.channels,
         s.subject_id, s.channel, s.status, s.event_id, s.version, s.granted_at, s.expires_at, s.pending,
         s.expressed_by, s.suppressed
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
         f.id AS resolved_id, f.subject_status, f.minor_until, f.objected,
         s.subject_id, s.channel, s.status, s.event_id, s.version, s.granted_at, s.expires_at, s.pending,
         s.expressed_by, s.suppressed`;
const DECISION_ONE_FACTS = `
    LEFT JOIN LATERAL (
      SELECT COALESCE(v.id, g.id) AS id, COALESCE(v.status, g.status) AS subject_status,
             COALESCE(v.minor_until, g.minor_until)::text AS minor_until,
             COALESCE(v.objected_direct_marketing_at, g.objected_direct_marketing_at) IS NOT NULL AS objected
        FROM subjects g LEFT JOIN subjects v ON v.id = g.merged_into
       WHERE g.id = o.id
    ) f ON true
    LEFT JOIN consent_state s ON s.purpose_key = p.key AND s.subject_id = f.id
   WHERE p.key = $1`;

export const DECISION_BY_ID_SQL = `${DECISION_ONE_SELECT}, false AS identifier_suppressed
    FROM purposes p
    CROSS JOIN (SELECT $2::uuid AS id) o${DECISION_ONE_FACTS}`;

/**
 * The same by identifier: the owner of the blind index ($3; none when several systems share it, as
 * SubjectLookup.findId answers) and whether the identifier is on the suppression list ($4).
 */
export const DECISION_BY_IDENTIFIER_SQL = `${DECISION_ONE_SELECT},
         EXISTS (SELECT 1 FROM subject_suppressions WHERE kind = $2 AND hash = $4) AS identifier_suppressed
    FROM purposes p
    CROSS JOIN (
      SELECT CASE WHEN count(DISTINCT subject_id) = 1 THEN min(subject_id::text)::uuid END AS id
        FROM subject_identifiers WHERE kind = $2 AND blind_index = $3
    ) o${DECISION_ONE_FACTS}`;

/** The purpose's rules alone: the batch decision reads them beside its subjects query, not on every row. */
export const PURPOSE_RULES_SQL = `
  SELECT legal_basis, marketing, minimum_age, reconsent_from_version, channels FROM purposes WHERE key = $1`;

// One row per key (`n`, its 1-based position in the array given): the survivor's facts (a merged id
// answers with its survivor's, as getDecisionFacts), its state for the purpose ($1) on the channel ($2)
// and, only where it has none, whether a current grant exists on another channel (which turns no_consent
// into channel_not_consented). One row and fourteen columns per key keep row parsing, not SQL, from
// dominating a 10,000-entry batch.
const BATCH_COLUMNS = `k.n::int AS n, COALESCE(v.id, g.id) AS resolved_id, COALESCE(v.status, g.status) AS subject_status,
         COALESCE(v.minor_until, g.minor_until)::text AS minor_until,
         COALESCE(v.objected_direct_marketing_at, g.objected_direct_marketing_at) IS NOT NULL AS objected,
         s.status, s.event_id, s.version, s.granted_at, s.expires_at, s.pending, s.expressed_by, s.suppressed,
         CASE WHEN s.status IS NULL THEN EXISTS (
           SELECT 1 FROM consent_state o
            WHERE o.subject_id = COALESCE(v.id, g.id) AND o.purpose_key = $1 AND o.channel <> $2
              AND o.status = 'granted' AND NOT o.pending AND (o.expires_at IS NULL OR o.expires_at > now())
         ) ELSE false END AS granted_elsewhere`;
const batchJoins = (id: string) => `JOIN subjects g ON g.id = ${id}
    LEFT JOIN subjects v ON v.id = g.merged_into
    LEFT JOIN consent_state s ON s.subject_id = COALESCE(v.id, g.id) AND s.purpose_key = $1 AND s.channel = $2`;

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
    JOIN subject_identifiers i ON i.kind = $3 AND i.blind_index = k.blind_index
    ${batchJoins('i.subject_id')}`;

/**
 * One keyset page of the audience with the subject facts the rules need (the survivor's, should a merge
 * race the read), so a page is one statement rather than the page and then its subjects.
 */
export const AUDIENCE_PAGE_SQL = `
  SELECT c.subject_id, c.version, c.expressed_by, c.suppressed,
         COALESCE(v.status, s.status) AS subject_status,
         COALESCE(v.minor_until, s.minor_until)::text AS minor_until,
         COALESCE(v.objected_direct_marketing_at, s.objected_direct_marketing_at) IS NOT NULL AS objected
    FROM consent_state c
    JOIN subjects s ON s.id = c.subject_id
    LEFT JOIN subjects v ON v.id = s.merged_into
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
  subject_status: 'active' | 'restricted' | 'erased';
  minor_until: string | null;
  objected: boolean;
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
  status: ConsentDecision | null;
  event_id: string | null;
  version: number | null;
  granted_at: Date | null;
  expires_at: Date | null;
  pending: boolean | null;
  expressed_by: ExpressedBy | null;
  suppressed: boolean | null;
  granted_elsewhere: boolean;
}

/** A row of the single decision: DecisionRow with the subject's facts (null columns: unknown subject). */
export interface DecisionOneRow extends DecisionRow {
  resolved_id: string | null;
  subject_status: 'active' | 'restricted' | 'erased' | null;
  minor_until: string | null;
  objected: boolean | null;
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

@Injectable()
export class ConsentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Serialises writers of one (subject, purpose, channel) until commit, so a grant and a withdrawal
   * racing each other are applied in one order to both the event log and the projection.
   */
  async lockTriple(m: EntityManager, subjectId: string, purposeKey: string, channel: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      CONSENT_LOCK_NAMESPACE,
      `${subjectId}|${purposeKey}|${channel}`,
    ]);
  }

  findState(m: EntityManager, subjectId: string, purposeKey: string, channel: string): Promise<ConsentState | null> {
    return m.getRepository(ConsentState).findOne({ where: { subjectId, purposeKey, channel: channel as Channel } });
  }

  currentState(subjectId: string, purposeKey: string, channel: string): Promise<ConsentState | null> {
    return this.findState(this.dataSource.manager, subjectId, purposeKey, channel);
  }

  async appendEvent(m: EntityManager, event: Omit<ConsentEvent, 'seq'>): Promise<string> {
    const result = await m.createQueryBuilder().insert().into(ConsentEvent).values(event).returning(['seq']).execute();
    return String((result.raw as { seq: string }[])[0].seq);
  }

  async insertEvidence(m: EntityManager, row: Pick<ConsentEvidence, 'eventId' | 'subjectId' | 'sealed'>) {
    await m.getRepository(ConsentEvidence).insert(row);
  }

  /** The guard on `last_seq` keeps the projection moving forward only, whatever order writers commit in. */
  async upsertState(m: EntityManager, subjectId: string, purposeKey: string, channel: string, s: StateFacts) {
    await m.query(
      `INSERT INTO consent_state (subject_id, purpose_key, channel, status, event_id, last_seq, version, locale,
                                  text_sha256, granted_at, confirmed_at, expires_at, pending, expressed_by,
                                  suppressed, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now())
       ON CONFLICT (subject_id, purpose_key, channel) DO UPDATE SET
         status = EXCLUDED.status, event_id = EXCLUDED.event_id, last_seq = EXCLUDED.last_seq,
         version = EXCLUDED.version, locale = EXCLUDED.locale, text_sha256 = EXCLUDED.text_sha256,
         granted_at = EXCLUDED.granted_at, confirmed_at = EXCLUDED.confirmed_at, expires_at = EXCLUDED.expires_at,
         pending = EXCLUDED.pending, expressed_by = EXCLUDED.expressed_by, suppressed = EXCLUDED.suppressed,
         updated_at = EXCLUDED.updated_at
       WHERE consent_state.last_seq < EXCLUDED.last_seq`,
      [
        subjectId,
        purposeKey,
        channel,
        s.status,
        s.eventId,
        s.lastSeq,
        s.version,
        s.locale,
        s.textSha256,
        s.grantedAt,
        s.confirmedAt,
        s.expiresAt,
        s.pending,
        s.expressedBy,
        s.suppressed,
      ],
    );
  }

  statesForSubject(subjectId: string): Promise<ConsentState[]> {
    return this.dataSource.getRepository(ConsentState).find({ where: { subjectId } });
  }

  /**
   * Oldest first; with `until`, only what had been recorded by then (the as-of view). Several ids: a
   * subject and the records merged into it (events are append-only, so they keep the id they had).
   */
  eventsForSubject(subjectIds: string[], until?: Date): Promise<ConsentEvent[]> {
    const qb = this.dataSource
      .getRepository(ConsentEvent)
      .createQueryBuilder('e')
      .where('e.subjectId = ANY(:subjectIds)', { subjectIds })
      .orderBy('e.seq', 'ASC');
    if (until) qb.andWhere('e.recordedAt <= :until', { until });
    return qb.getMany();
  }

  findEvent(id: string): Promise<ConsentEvent | null> {
    return this.dataSource.getRepository(ConsentEvent).findOne({ where: { id } });
  }

  findEvidence(eventId: string): Promise<ConsentEvidence | null> {
    return this.dataSource.getRepository(ConsentEvidence).findOne({ where: { eventId } });
  }

  /**
   * The decision's one round trip for consent data: the purpose's rules joined with every state of the
   * given subjects for that purpose (all channels, so "consented on another channel" can be told).
   * A purpose with no matching state still yields one row with null state columns.
   */
  decisionRows(purposeKey: string, subjectIds: string[]): Promise<DecisionRow[]> {
    return this.dataSource.query(DECISION_ROWS_SQL, [purposeKey, subjectIds]) as Promise<DecisionRow[]>;
  }

  /** The single decision by subject id (null: nobody), one named statement. */
  decisionById(purposeKey: string, subjectId: string | null): Promise<DecisionOneRow[]> {
    return this.named('zgoda_decision_by_id', DECISION_BY_ID_SQL, [purposeKey, subjectId]);
  }

  /** The single decision by an identifier's blind index and suppression hash, one named statement. */
  decisionByIdentifier(purposeKey: string, kind: string, blindIndex: Buffer, hash: string): Promise<DecisionOneRow[]> {
    return this.named('zgoda_decision_by_identifier', DECISION_BY_IDENTIFIER_SQL, [purposeKey, kind, blindIndex, hash]);
  }

  async purposeRules(purposeKey: string): Promise<PurposeRulesRow | undefined> {
    return (await this.named<PurposeRulesRow>('zgoda_purpose_rules', PURPOSE_RULES_SQL, [purposeKey]))[0];
  }

  batchByIds(purposeKey: string, channel: string, subjectIds: string[]): Promise<BatchDecisionRow[]> {
    if (!subjectIds.length) return Promise.resolve([]);
    return this.named('zgoda_batch_by_id', BATCH_BY_ID_SQL, [purposeKey, channel, subjectIds]);
  }

  batchByIndexes(purposeKey: string, channel: string, kind: string, indexes: Buffer[]): Promise<BatchDecisionRow[]> {
    if (!indexes.length) return Promise.resolve([]);
    return this.named('zgoda_batch_by_index', BATCH_BY_INDEX_SQL, [purposeKey, channel, kind, indexes]);
  }

  /**
   * A named (prepared) statement on TypeORM's own pg pool: parsed and planned once per connection
   * instead of on every call, which is most of the database's work for a one-row primary-key read.
   */
  private async named<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    return (await pool.query({ name, text, values })).rows as T[];
  }

  /** One keyset page of the audience: current, confirmed, unexpired grants in subject order, with facts. */
  audiencePage(
    purposeKey: string,
    channel: string,
    afterSubjectId: string | null,
    limit: number,
  ): Promise<AudienceRow[]> {
    // Starting from the nil uuid keeps every page, the first included, a plain index range scan.
    return this.named('zgoda_audience_page', AUDIENCE_PAGE_SQL, [
      purposeKey,
      channel,
      afterSubjectId ?? NIL_UUID,
      limit,
    ]);
  }

  /**
   * Merge: the survivor takes over the merged record's states; where both hold one for the same purpose
   * and channel, the later decision (higher seq) is the person's latest word and wins.
   */
  async foldStates(m: EntityManager, mergedId: string, survivorId: string): Promise<void> {
    await m.query(
      `INSERT INTO consent_state (subject_id, purpose_key, channel, status, event_id, last_seq, version, locale,
                                  text_sha256, granted_at, confirmed_at, expires_at, pending, expressed_by,
                                  suppressed, updated_at)
       SELECT $2, purpose_key, channel, status, event_id, last_seq, version, locale, text_sha256, granted_at,
              confirmed_at, expires_at, pending, expressed_by, suppressed, now()
         FROM consent_state WHERE subject_id = $1
       ON CONFLICT (subject_id, purpose_key, channel) DO UPDATE SET
         status = EXCLUDED.status, event_id = EXCLUDED.event_id, last_seq = EXCLUDED.last_seq,
         version = EXCLUDED.version, locale = EXCLUDED.locale, text_sha256 = EXCLUDED.text_sha256,
         granted_at = EXCLUDED.granted_at, confirmed_at = EXCLUDED.confirmed_at, expires_at = EXCLUDED.expires_at,
         pending = EXCLUDED.pending, expressed_by = EXCLUDED.expressed_by, suppressed = EXCLUDED.suppressed,
         updated_at = EXCLUDED.updated_at
       WHERE consent_state.last_seq < EXCLUDED.last_seq`,
      [mergedId, survivorId],
    );
    await m.query('DELETE FROM consent_state WHERE subject_id = $1', [mergedId]);
    await m.query('UPDATE consent_evidence SET subject_id = $2 WHERE subject_id = $1', [mergedId, survivorId]);
  }

  /** Retention: every state of these subjects with the time of the event that set it; one query per batch. */
  retentionStates(subjectIds: string[]): Promise<RetentionStateRow[]> {
    if (!subjectIds.length) return Promise.resolve([]);
    return this.dataSource.query(
      `SELECT s.subject_id, s.purpose_key, s.status, s.pending, s.expires_at, e.recorded_at AS decided_at
         FROM consent_state s JOIN consent_events e ON e.id = s.event_id
        WHERE s.subject_id = ANY($1::uuid[])`,
      [subjectIds],
    ) as Promise<RetentionStateRow[]>;
  }

  /**
   * Erasure: the evidence (IP, user agent) goes; the id-only event log stays as proof (Art. 7(1), 17(3)(e)).
   * One statement for one subject or a retention batch of them.
   */
  async deleteEvidenceForSubjects(m: EntityManager, subjectIds: string[]): Promise<number> {
    if (!subjectIds.length) return 0;
    const [, deleted] = (await m.query('DELETE FROM consent_evidence WHERE subject_id = ANY($1::uuid[])', [
      subjectIds,
    ])) as [unknown, number];
    return deleted;
  }
}
