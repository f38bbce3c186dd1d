import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { ConsentEvent } from './consent-event.entity';
import { ConsentEvidence } from './consent-evidence.entity';
import { StateFacts } from './consent-rules';
import { ConsentState } from './consent-state.entity';
import type { Channel } from './consent.types';
import {
  AUDIENCE_PAGE_SQL,
  BATCH_BY_ID_SQL,
  BATCH_BY_INDEX_SQL,
  DECISION_BY_IDENTIFIER_SQL,
  DECISION_BY_ID_SQL,
  DECISION_ROWS_SQL,
  NIL_UUID,
  PURPOSE_RULES_SQL,
} from './consent-decision.sql';
import type {
  AudienceRow,
  BatchDecisionRow,
  DecisionOneRow,
  DecisionRow,
  PurposeRulesRow,
  RetentionStateRow,
} from './consent-decision.sql';

// Tests and the bench read the statements from here, where they run.
export {
  AUDIENCE_PAGE_SQL,
  BATCH_BY_ID_SQL,
  BATCH_BY_INDEX_SQL,
  DECISION_BY_IDENTIFIER_SQL,
  DECISION_BY_ID_SQL,
  DECISION_ROWS_SQL,
  PURPOSE_RULES_SQL,
} from './consent-decision.sql';
export type {
  AudienceRow,
  BatchDecisionRow,
  DecisionOneRow,
  DecisionRow,
  PurposeRulesRow,
  RetentionStateRow,
} from './consent-decision.sql';

// Namespace of the per-(subject, purpose, channel) advisory locks, apart from every other lock user.
export const CONSENT_LOCK_NAMESPACE = 0x2a0d20;

/** The projection's row, written by one event (`upsertState`) or an import's batch (`upsertStates`). */
export const STATE_INSERT = `INSERT INTO consent_state (subject_id, purpose_key, channel, status, event_id, last_seq,
  version, locale, text_sha256, granted_at, confirmed_at, expires_at, pending, expressed_by, suppressed, updated_at)`;

/** The guard on `last_seq` keeps the projection moving forward only, whatever order writers commit in. */
export const STATE_ON_CONFLICT = `ON CONFLICT (subject_id, purpose_key, channel) DO UPDATE SET
  status = EXCLUDED.status, event_id = EXCLUDED.event_id, last_seq = EXCLUDED.last_seq,
  version = EXCLUDED.version, locale = EXCLUDED.locale, text_sha256 = EXCLUDED.text_sha256,
  granted_at = EXCLUDED.granted_at, confirmed_at = EXCLUDED.confirmed_at, expires_at = EXCLUDED.expires_at,
  pending = EXCLUDED.pending, expressed_by = EXCLUDED.expressed_by, suppressed = EXCLUDED.suppressed,
  updated_at = EXCLUDED.updated_at
  WHERE consent_state.last_seq < EXCLUDED.last_seq`;

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

  async insertEvidence(m: EntityManager, row: Pick<ConsentEvidence, 'eventId' | 'subjectId' | 'sealed'>) {
    await m.getRepository(ConsentEvidence).insert(row);
  }

  /** The guard on `last_seq` keeps the projection moving forward only, whatever order writers commit in. */
  async upsertState(m: EntityManager, subjectId: string, purposeKey: string, channel: string, s: StateFacts) {
    await m.query(
      `${STATE_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now()) ${STATE_ON_CONFLICT}`,
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

  statesForSubjectIn(m: EntityManager, subjectId: string): Promise<ConsentState[]> {
    return m.getRepository(ConsentState).find({ where: { subjectId }, order: { purposeKey: 'ASC', channel: 'ASC' } });
  }

  /**
   * In the order they were expressed (then recorded); with `until`, only what had been expressed by then (the
   * as-of view). Several ids: a subject and the records merged into it (events are append-only, so they keep
   * the id they had).
   */
  eventsForSubject(subjectIds: string[], until?: Date): Promise<ConsentEvent[]> {
    const qb = this.dataSource
      .getRepository(ConsentEvent)
      .createQueryBuilder('e')
      .where('e.subjectId = ANY(:subjectIds)', { subjectIds })
      .orderBy('e.occurredAt', 'ASC')
      .addOrderBy('e.seq', 'ASC');
    if (until) qb.andWhere('e.occurredAt <= :until', { until });
    return qb.getMany();
  }

  /** One subject's events for one purpose and channel, in the order they take effect: to rebuild its state. */
  tripleEvents(m: EntityManager, subjectId: string, purposeKey: string, channel: string): Promise<ConsentEvent[]> {
    return m.getRepository(ConsentEvent).find({
      where: { subjectId, purposeKey, channel: channel as ConsentEvent['channel'] },
      order: { occurredAt: 'ASC', seq: 'ASC' },
    });
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
  decisionById(purposeKey: string, channel: string, subjectId: string | null): Promise<DecisionOneRow[]> {
    return this.named('zgoda_decision_by_id', DECISION_BY_ID_SQL, [purposeKey, subjectId, channel]);
  }

  /** The single decision by an identifier's blind index and suppression hash, one named statement. */
  decisionByIdentifier(
    purposeKey: string,
    channel: string,
    kind: string,
    blindIndex: Buffer,
    hash: string,
  ): Promise<DecisionOneRow[]> {
    return this.named('zgoda_decision_by_identifier', DECISION_BY_IDENTIFIER_SQL, [
      purposeKey,
      kind,
      blindIndex,
      hash,
      channel,
    ]);
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
   * A named (prepared) statement on a connection of TypeORM's own pool: parsed and planned once per
   * connection instead of on every call, which is most of the database's work for a one-row primary-key
   * read. `obtainMasterConnection` is the driver's public checkout (TypeORM's query runners use it);
   * EntityManager.query cannot name a statement.
   */
  private async named<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    const [client, release] = (await this.dataSource.driver.obtainMasterConnection()) as [PoolClient, () => void];
    try {
      return (await client.query({ name, text, values })).rows as T[];
    } finally {
      release();
    }
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
      `SELECT s.subject_id, s.purpose_key, s.status, s.pending, s.expires_at, e.occurred_at AS decided_at
         FROM consent_state s JOIN consent_events e ON e.id = s.event_id
        WHERE s.subject_id = ANY($1::uuid[])`,
      [subjectIds],
    ) as Promise<RetentionStateRow[]>;
  }

  /**
   * Erasure: the evidence (IP, user agent) goes; the id-only event log stays as proof (Art. 7(1), 17(3)(e)).
   * One statement for one subject or a retention batch of them.
   */
  async evidenceCount(subjectIds: string[]): Promise<number> {
    const rows = (await this.dataSource.query(
      'SELECT count(*)::int AS n FROM consent_evidence WHERE subject_id = ANY($1::uuid[])',
      [subjectIds],
    )) as { n: number }[];
    return rows[0].n;
  }

  async deleteEvidenceForSubjects(m: EntityManager, subjectIds: string[]): Promise<number> {
    if (!subjectIds.length) return 0;
    const [, deleted] = (await m.query('DELETE FROM consent_evidence WHERE subject_id = ANY($1::uuid[])', [
      subjectIds,
    ])) as [unknown, number];
    return deleted;
  }
}
