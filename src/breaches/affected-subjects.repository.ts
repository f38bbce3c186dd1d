import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface AffectedCounts {
  total: number;
  /** Handed to the mailer with an Art. 34 notice. */
  sent: number;
  /** Selected, notice not yet handled. */
  pending: number;
  /** Handled but with no e-mail address to write to (Art. 34(3)(c) may call for a public communication). */
  withoutEmail: number;
}

@Injectable()
export class AffectedSubjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds subjects to the breach; a subject already selected stays as it was. Returns how many were new. */
  async add(m: EntityManager, breachId: string, subjectIds: string[]): Promise<number> {
    if (!subjectIds.length) return 0;
    const rows = (await m.query(
      `INSERT INTO breach_affected_subjects (breach_id, subject_id)
       SELECT $1, unnest($2::uuid[])
       ON CONFLICT (breach_id, subject_id) DO NOTHING
       RETURNING subject_id`,
      [breachId, subjectIds],
    )) as unknown[];
    return rows.length;
  }

  /**
   * Claims the next subjects still waiting for their notice. SKIP LOCKED lets two deliveries of the job run
   * side by side without noticing anyone twice.
   */
  async claimPending(m: EntityManager, breachId: string, limit: number): Promise<string[]> {
    const rows = (await m.query(
      `SELECT subject_id FROM breach_affected_subjects
        WHERE breach_id = $1 AND notified_at IS NULL
        ORDER BY subject_id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [breachId, limit],
    )) as { subject_id: string }[];
    return rows.map((r) => r.subject_id);
  }

  async markNotified(m: EntityManager, breachId: string, subjectId: string, emailId: string | null): Promise<void> {
    await m.query(
      `UPDATE breach_affected_subjects SET notified_at = now(), email_id = $3
        WHERE breach_id = $1 AND subject_id = $2 AND notified_at IS NULL`,
      [breachId, subjectId, emailId],
    );
  }

  async counts(breachId: string, m?: EntityManager): Promise<AffectedCounts> {
    const [row] = (await (m ?? this.dataSource.manager).query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE notified_at IS NOT NULL AND email_id IS NOT NULL)::int AS sent,
              count(*) FILTER (WHERE notified_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE notified_at IS NOT NULL AND email_id IS NULL)::int AS without_email
         FROM breach_affected_subjects WHERE breach_id = $1`,
      [breachId],
    )) as { total: number; sent: number; pending: number; without_email: number }[];
    return { total: row.total, sent: row.sent, pending: row.pending, withoutEmail: row.without_email };
  }

  listIds(breachId: string, afterSubjectId: string | undefined, limit: number) {
    return this.dataSource.query(
      `SELECT subject_id, selected_at, notified_at, email_id FROM breach_affected_subjects
        WHERE breach_id = $1 AND ($2::uuid IS NULL OR subject_id > $2::uuid)
        ORDER BY subject_id LIMIT $3`,
      [breachId, afterSubjectId ?? null, limit],
    ) as Promise<{ subject_id: string; selected_at: Date; notified_at: Date | null; email_id: string | null }[]>;
  }
}
