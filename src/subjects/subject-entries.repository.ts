import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface SubjectEntryRow {
  subject_id: string;
  kind: string;
  system_key: string;
  last_at: Date;
}

/** Dates data systems report per subject (subject_entries), for retention triggers (issue 13 item 15). */
@Injectable()
export class SubjectEntriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The latest date per kind and system: a report older than the one kept changes nothing. */
  async recordEntry(m: EntityManager, subjectId: string, kind: string, systemKey: string, at: Date): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO subject_entries (subject_id, kind, system_key, last_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (subject_id, kind, system_key) DO UPDATE SET last_at = EXCLUDED.last_at, updated_at = now()
        WHERE subject_entries.last_at < EXCLUDED.last_at
       RETURNING 1`,
      [subjectId, kind, systemKey, at],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Every reported entry of these subjects (retention loads a batch's facts in one query). */
  async entriesOf(ids: string[]): Promise<SubjectEntryRow[]> {
    if (!ids.length) return [];
    return (await this.dataSource.query(
      `SELECT subject_id, kind, system_key, last_at FROM subject_entries WHERE subject_id = ANY($1::uuid[])`,
      [ids],
    )) as SubjectEntryRow[];
  }

  /** A merge: the merged record's entries join the survivor's, the later date winning per kind and system. */
  async moveEntries(m: EntityManager, from: string, to: string): Promise<void> {
    await m.query(
      `INSERT INTO subject_entries (subject_id, kind, system_key, last_at)
       SELECT $2, kind, system_key, last_at FROM subject_entries WHERE subject_id = $1
       ON CONFLICT (subject_id, kind, system_key) DO UPDATE SET last_at = GREATEST(subject_entries.last_at, EXCLUDED.last_at)`,
      [from, to],
    );
    await m.query(`DELETE FROM subject_entries WHERE subject_id = $1`, [from]);
  }
}
