import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { blindIndexOwnersJoin, survivorFactColumns, survivorJoins } from '../subjects';
import type { DecisionRowFacts } from './consent-rules';
import { isoTime, type DecisionRow, type PurposeRulesRow } from './consent-decision.sql';
import { Channel, DecisionReason } from './consent.types';

/** Namespace of the per-subject locks a refresh takes, apart from every other lock user. */
const DECISION_LOCK_NAMESPACE = 0x2a0d70;

/** One consent state of a subject with the purpose's rules and the subject's facts: what a refresh decides from. */
export interface DecisionInputRow
  extends PurposeRulesRow, Omit<DecisionRow, keyof PurposeRulesRow | 'subject_id' | 'channel'> {
  subject_id: string;
  purpose_key: string;
  channel: Channel;
  subject_status: 'active' | 'restricted' | 'erased';
  minor_until: string | null;
  objected: boolean;
  objected_purpose: boolean;
}

/** A kept decision, as the single check reads it (times as text: `isoTime`). */
export interface KeptDecision {
  subject_id: string;
  reason: DecisionReason;
  reason_if_suppressed: DecisionReason;
  event_id: string | null;
  version: number | null;
  /** ISO 8601 in UTC, as `Date.toISOString` writes it. */
  granted_at: string | null;
  /** The answer's `validUntil` (the row's own `valid_until` is checked in SQL). */
  answer_valid_until: string | null;
}

/** A row of the audience read from the kept decisions: granted, or past `valid_until` (`stale`: decide again). */
export interface AudienceKeptRow {
  subject_id: string;
  stale: boolean;
}

// Times as text (isoTime): parsing 20,000 timestamps into Dates to print them again was a tenth of a 10,000-id
// batch's time, and most of its garbage.
const KEPT_COLUMNS = `d.subject_id::text, d.reason, d.reason_if_suppressed, d.event_id, d.version,
              ${isoTime('d.granted_at')} AS granted_at, ${isoTime('d.answer_valid_until')} AS answer_valid_until`;

/** A row current now: one past `valid_until` is decided again, like a slot without one. */
const CURRENT = `(d.valid_until IS NULL OR d.valid_until > now())`;

/** A kept decision for a batch's slot; by identifier, `reason` is null for an owner without a current row. */
export interface KeptSlotRow extends Omit<KeptDecision, 'reason'> {
  n: number;
  reason: DecisionReason | null;
}

export interface NewDecisionRow extends DecisionRowFacts {
  subjectId: string;
  purposeKey: string;
}

/** The SQL of the decision rows (issue 16 item 1; migration 1763800033000). */
@Injectable()
export class DecisionRowsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The subjects' refresh locks, in one order. A separate statement from the read that follows: in READ COMMITTED
   * that read's snapshot is taken after the wait, so it sees what a transaction that held the lock committed.
   */
  async lock(m: EntityManager, sortedIds: string[]): Promise<void> {
    await m.query(
      `SELECT count(pg_advisory_xact_lock($1, hashtext(id::text)))
         FROM (SELECT id FROM unnest($2::uuid[]) WITH ORDINALITY AS u (id, n) ORDER BY n OFFSET 0) s`,
      [DECISION_LOCK_NAMESPACE, sortedIds],
    );
  }

  /**
   * Every consent state of these subjects (for these purposes; null: all) with its purpose's rules and its subject's
   * facts. The purposes are read FOR SHARE: a purpose change (which takes its row FOR UPDATE and forgets the
   * purpose's rows) waits for this transaction, and this read waits for it, so no row outlives the rules it used.
   */
  inputs(m: EntityManager, subjectIds: string[], purposeKeys: string[] | null): Promise<DecisionInputRow[]> {
    return m.query(
      `SELECT s.subject_id, s.purpose_key, p.legal_basis, p.marketing, p.minimum_age, p.reconsent_from_version,
              p.channels, ${survivorFactColumns('g', 'v', '              ', 'p.key')},
              s.channel, s.status, s.event_id, s.version, s.granted_at, s.expires_at, s.pending, s.expressed_by,
              s.suppressed, s.confirmed_at
         FROM consent_state s
         JOIN purposes p ON p.key = s.purpose_key
         ${survivorJoins('s.subject_id', 'g', 'v')}
        WHERE s.subject_id = ANY($1::uuid[]) AND ($2::text[] IS NULL OR s.purpose_key = ANY($2::text[]))
        FOR SHARE OF p`,
      [subjectIds, purposeKeys],
    ) as Promise<DecisionInputRow[]>;
  }

  /**
   * Replaces the rows of these subjects (for these purposes; null: all) with `rows` in one statement: the rows no
   * longer decided are deleted, the others inserted or updated.
   */
  async replace(
    m: EntityManager,
    subjectIds: string[],
    purposeKeys: string[] | null,
    rows: NewDecisionRow[],
  ): Promise<void> {
    await m.query(
      `WITH n AS (
         SELECT * FROM unnest($3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::uuid[], $9::int[],
                              $10::timestamptz[], $11::timestamptz[], $12::timestamptz[])
           AS t (purpose_key, channel, subject_id, reason, reason_if_suppressed, event_id, version, granted_at,
                 valid_until, answer_valid_until)
       ), gone AS (
         DELETE FROM decision_rows d
          WHERE d.subject_id = ANY($1::uuid[]) AND ($2::text[] IS NULL OR d.purpose_key = ANY($2::text[]))
            AND NOT EXISTS (SELECT 1 FROM n WHERE (n.purpose_key, n.channel, n.subject_id)
                                                = (d.purpose_key, d.channel, d.subject_id))
       )
       INSERT INTO decision_rows (purpose_key, channel, subject_id, reason, reason_if_suppressed, event_id,
                                      version, granted_at, valid_until, answer_valid_until, decided_at)
       SELECT n.*, now() FROM n
       ON CONFLICT (purpose_key, channel, subject_id) DO UPDATE SET
         reason = EXCLUDED.reason, reason_if_suppressed = EXCLUDED.reason_if_suppressed,
         event_id = EXCLUDED.event_id, version = EXCLUDED.version, granted_at = EXCLUDED.granted_at,
         valid_until = EXCLUDED.valid_until, answer_valid_until = EXCLUDED.answer_valid_until,
         decided_at = EXCLUDED.decided_at`,
      [
        subjectIds,
        purposeKeys,
        rows.map((r) => r.purposeKey),
        rows.map((r) => r.channel),
        rows.map((r) => r.subjectId),
        rows.map((r) => r.reason),
        rows.map((r) => r.reasonIfSuppressed),
        rows.map((r) => r.state?.eventId ?? null),
        rows.map((r) => r.state?.version ?? null),
        rows.map((r) => r.state?.grantedAt ?? null),
        rows.map((r) => r.validUntil),
        rows.map((r) => r.answerValidUntil),
      ],
    );
  }

  /**
   * A keyset page of the subjects with a consent state (for the purpose; null: any), after `afterId` (the state's
   * primary key leads with the subject).
   */
  async subjectsWithStates(
    m: EntityManager,
    purposeKey: string | null,
    afterId: string,
    limit: number,
  ): Promise<string[]> {
    const rows = (await m.query(
      `SELECT DISTINCT subject_id::text FROM consent_state
        WHERE subject_id > $2::uuid AND ($1::text IS NULL OR purpose_key = $1)
        ORDER BY 1 LIMIT $3`,
      [purposeKey, afterId, limit],
    )) as { subject_id: string }[];
    return rows.map((r) => r.subject_id);
  }

  /**
   * The kept rows of these subjects for the purpose and channel: nothing else. `= ANY` on the primary key, not a
   * join with the list: a join's plan rests on the table's statistics, and without them (a fresh table, autovacuum
   * behind) PostgreSQL hashed every row of the purpose and channel, three times slower at 200,000 subjects.
   */
  keptByIds(purposeKey: string, channel: string, subjectIds: string[]): Promise<KeptDecision[]> {
    return this.dataSource.query(
      `SELECT ${KEPT_COLUMNS} FROM decision_rows d
        WHERE d.purpose_key = $1 AND d.channel = $2 AND d.subject_id = ANY($3::uuid[]) AND ${CURRENT}`,
      [purposeKey, channel, subjectIds],
    ) as Promise<KeptDecision[]>;
  }

  /**
   * The same by blind index (kind $3): a row per owner of each index, with its kept row when it has one (a slot with
   * several owners identifies nobody, which the caller leaves to the live statement).
   */
  keptByIndexes(purposeKey: string, channel: string, kind: string, indexes: Buffer[]): Promise<KeptSlotRow[]> {
    return this.dataSource.query(
      `SELECT k.n::int AS n, ${KEPT_COLUMNS}
         FROM unnest($4::bytea[]) WITH ORDINALITY AS k (blind_index, n)
         ${blindIndexOwnersJoin('i', '$3', 'k.blind_index')}
         -- A probe per owner whatever the statistics say (OFFSET 0 keeps the planner from making it a hash join).
         LEFT JOIN LATERAL (
           SELECT * FROM decision_rows d
            WHERE d.purpose_key = $1 AND d.channel = $2 AND d.subject_id = i.subject_id AND ${CURRENT} OFFSET 0
         ) d ON true`,
      [purposeKey, channel, kind, indexes],
    ) as Promise<KeptSlotRow[]>;
  }

  /**
   * One keyset page of the audience from the kept rows of a purpose and channel whose answer needs a consent: those
   * granted, and those past `valid_until` whatever they say (time may have made them granted, or taken it away).
   * A range scan of the primary key; nothing else is read.
   */
  audiencePage(purposeKey: string, channel: string, afterId: string, limit: number): Promise<AudienceKeptRow[]> {
    return this.dataSource.query(
      `SELECT d.subject_id::text, coalesce(d.valid_until <= now(), false) AS stale
         FROM decision_rows d
        WHERE d.purpose_key = $1 AND d.channel = $2 AND d.subject_id > $3::uuid
          AND (d.reason = '${DecisionReason.Granted}' OR d.valid_until <= now())
        ORDER BY d.subject_id LIMIT $4`,
      [purposeKey, channel, afterId, limit],
    ) as Promise<AudienceKeptRow[]>;
  }

  /** Whether every consent state has its rows (migration 1763800034000). */
  async built(): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM decision_rows_built`)) as unknown[];
    return rows.length > 0;
  }

  /** After a rebuild has passed every subject with a state: the rows are complete from now on. */
  async markBuilt(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO decision_rows_built (only_row) VALUES (true) ON CONFLICT (only_row) DO NOTHING`,
    );
  }
}
