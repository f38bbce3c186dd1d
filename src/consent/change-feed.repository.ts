import { affectedRows } from '../common/db/purge-in-batches';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ChangeType } from './consent-change.entity';

/** The change feed's INSERT head: `tx` is the writing transaction's id, so a reader can wait for its commit. */
export const CHANGE_INSERT = 'INSERT INTO consent_changes (tx, type, subject_id, purposes, channels)';

export interface NewChange {
  type: ChangeType;
  subjectId: string;
  /** Empty or omitted: every purpose. */
  purposes?: string[];
  channels?: string[];
}

export interface ChangeRow {
  tx: string;
  seq: string;
  type: ChangeType;
  occurred_at: Date;
  subject_id: string;
  purposes: string[];
  channels: string[];
}

/** The SQL of the change feed (issue 14 item 2). */
@Injectable()
export class ChangeFeedRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** In the caller's transaction, stamped with its id: one statement for any number of changes. */
  async append(m: EntityManager, changes: NewChange[]): Promise<void> {
    if (!changes.length) return;
    await m.query(
      `${CHANGE_INSERT}
       SELECT pg_current_xact_id()::text::bigint, t.type, t.subject_id,
              COALESCE(t.purposes::text[], '{}'), COALESCE(t.channels::text[], '{}')
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[]) AS t (type, subject_id, purposes, channels)`,
      [
        changes.map((c) => c.type),
        changes.map((c) => c.subjectId),
        changes.map((c) => pgArray(c.purposes ?? [])),
        changes.map((c) => pgArray(c.channels ?? [])),
      ],
    );
  }

  /**
   * Every subject with a current grant for the purpose, as one change each (a re-consent requirement), in the
   * caller's transaction: one statement however many there are.
   */
  async appendForGranted(m: EntityManager, type: ChangeType, purposeKey: string): Promise<void> {
    await m.query(
      `INSERT INTO consent_changes (tx, type, subject_id, purposes)
       SELECT DISTINCT pg_current_xact_id()::text::bigint, $1, subject_id, ARRAY[$2]::text[]
         FROM consent_state WHERE purpose_key = $2 AND status = 'granted'`,
      [type, purposeKey],
    );
  }

  /**
   * The changes after the cursor, in (tx, seq) order, of finished transactions only: a transaction still
   * running when this reads has an id at or above the snapshot's xmin, and its rows wait for the next read.
   */
  page(afterTx: string, afterSeq: string, types: string[] | null, limit: number): Promise<ChangeRow[]> {
    return this.dataSource.query(
      `SELECT tx::text, seq::text, type, occurred_at, subject_id, purposes, channels FROM consent_changes
        WHERE (tx, seq) > ($1::bigint, $2::bigint)
          AND tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
          AND ($3::text[] IS NULL OR type = ANY($3::text[]))
        ORDER BY tx, seq LIMIT $4`,
      [afterTx, afterSeq, types, limit],
    ) as Promise<ChangeRow[]>;
  }

  async deleteBefore(before: Date, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM consent_changes WHERE seq IN (
         SELECT seq FROM consent_changes WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2)
       RETURNING 1`,
        [before, limit],
      ),
    );
  }
}

/** A text[] literal for one row of an unnest of arrays of arrays (PostgreSQL has no ragged arrays). */
const pgArray = (values: string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
