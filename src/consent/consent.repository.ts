import { Injectable } from '@nestjs/common';
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

export const AUDIENCE_PAGE_SQL = `
  SELECT subject_id, version, expressed_by, suppressed FROM consent_state
   WHERE purpose_key = $1 AND channel = $2 AND status = 'granted' AND NOT pending
     AND (expires_at IS NULL OR expires_at > now())
     AND subject_id > $3::uuid
   ORDER BY subject_id LIMIT $4`;

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

  /**
   * One keyset page of the audience: current, confirmed, unexpired grants in subject order. Rules that
   * depend on the subject (erasure, restriction, objection, age) are applied by the caller.
   */
  audiencePage(
    purposeKey: string,
    channel: string,
    afterSubjectId: string | null,
    limit: number,
  ): Promise<{ subject_id: string; version: number; expressed_by: ExpressedBy; suppressed: boolean }[]> {
    // Starting from the nil uuid keeps every page, the first included, a plain index range scan.
    return this.dataSource.query(AUDIENCE_PAGE_SQL, [purposeKey, channel, afterSubjectId ?? NIL_UUID, limit]);
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

  /** Erasure: the evidence (IP, user agent) goes; the id-only event log stays as proof (Art. 7(1), 17(3)(e)). */
  async deleteEvidenceForSubject(m: EntityManager, subjectId: string): Promise<number> {
    const res = await m.getRepository(ConsentEvidence).delete({ subjectId });
    return res.affected ?? 0;
  }
}
