import { affectedRows } from '../common/db/purge-in-batches';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConsentDecisionRecord } from './consent-decision-record.entity';

export interface SingleDecisionEntry {
  id: string;
  decidedAt: Date;
  principal: string;
  purposeKey: string;
  channel: string;
  subjectId: string | null;
  allowed: boolean;
  reason: string;
  consentEventId: string | null;
}

export interface BatchDecisionEntry {
  id: string;
  decidedAt: Date;
  principal: string;
  purposeKey: string;
  channel: string;
  results: { subjectId: string | null; allowed: boolean; reason: string; consentEventId: string | null }[];
}

export interface DecisionResultRow {
  n: number;
  subject_id: string | null;
  allowed: boolean;
  reason: string;
  consent_event_id: string | null;
}

/** The SQL of the decision log (issue 14 item 3). Multi-row writes are single `unnest` statements. */
@Injectable()
export class DecisionLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertSingles(rows: SingleDecisionEntry[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO consent_decisions (id, decided_at, principal, purpose_key, channel, kind, subject_id, allowed,
                                      reason, consent_event_id, total, allowed_count)
       SELECT id, decided_at, principal, purpose_key, channel, 'single', subject_id, allowed, reason, event_id,
              1, allowed::int
         FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::boolean[],
                     $8::text[], $9::uuid[])
           AS t (id, decided_at, principal, purpose_key, channel, subject_id, allowed, reason, event_id)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.decidedAt),
        rows.map((r) => r.principal),
        rows.map((r) => r.purposeKey),
        rows.map((r) => r.channel),
        rows.map((r) => r.subjectId),
        rows.map((r) => r.allowed),
        rows.map((r) => r.reason),
        rows.map((r) => r.consentEventId),
      ],
    );
  }

  /** A batch's head and its answers, in the caller's transaction. */
  async insertBatch(m: EntityManager, b: BatchDecisionEntry): Promise<void> {
    const allowed = b.results.filter((r) => r.allowed).length;
    await m.query(
      `INSERT INTO consent_decisions (id, decided_at, principal, purpose_key, channel, kind, total, allowed_count)
       VALUES ($1, $2, $3, $4, $5, 'batch', $6, $7)`,
      [b.id, b.decidedAt, b.principal, b.purposeKey, b.channel, b.results.length, allowed],
    );
    await m.query(
      `INSERT INTO consent_decision_results (decision_id, n, subject_id, allowed, reason, consent_event_id)
       SELECT $1, t.n - 1, t.subject_id, t.allowed, t.reason, t.event_id
         FROM unnest($2::uuid[], $3::boolean[], $4::text[], $5::uuid[]) WITH ORDINALITY
           AS t (subject_id, allowed, reason, event_id, n)`,
      [
        b.id,
        b.results.map((r) => r.subjectId),
        b.results.map((r) => r.allowed),
        b.results.map((r) => r.reason),
        b.results.map((r) => r.consentEventId),
      ],
    );
  }

  find(id: string): Promise<ConsentDecisionRecord | null> {
    return this.dataSource.getRepository(ConsentDecisionRecord).findOne({ where: { id } });
  }

  resultsAfter(id: string, afterN: number, limit: number): Promise<DecisionResultRow[]> {
    return this.dataSource.query(
      `SELECT n, subject_id, allowed, reason, consent_event_id FROM consent_decision_results
        WHERE decision_id = $1 AND n > $2 ORDER BY n LIMIT $3`,
      [id, afterN, limit],
    ) as Promise<DecisionResultRow[]>;
  }

  /** The oldest `limit` decisions before `before`, their answers with them (ON DELETE CASCADE). */
  async deleteBefore(before: Date, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM consent_decisions WHERE id IN (
         SELECT id FROM consent_decisions WHERE decided_at < $1 ORDER BY decided_at LIMIT $2)
       RETURNING 1`,
        [before, limit],
      ),
    );
  }
}
