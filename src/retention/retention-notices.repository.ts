import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RetentionSystemNotice } from './retention-system-notice.entity';
import { NoticeStatus } from './retention.types';

export interface NoticeRow {
  id: string;
  subjectId: string;
  policyKey: string;
  action: string;
  system: { id: string; key: string; kind: string };
  sealed: Buffer | null;
  status: string;
}

/** The SQL of the notices retention runs send to the other data systems; writes take the caller's manager. */
@Injectable()
export class RetentionNoticesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The notices of a batch in one statement; returns the ones that were new. */
  async insertMany(m: EntityManager, runId: string, rows: NoticeRow[]): Promise<{ id: string; status: string }[]> {
    return (await m.query(
      `INSERT INTO retention_system_notices
         (id, run_id, subject_id, policy_key, action, system_id, system_key, system_kind, subject_sealed, status)
       SELECT id, $1, s, p, a, si, sk, kind, sealed, st
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::bytea[],
                     $10::text[]) AS t(id, s, p, a, si, sk, kind, sealed, st)
       ON CONFLICT DO NOTHING RETURNING id, status`,
      [
        runId,
        rows.map((r) => r.id),
        rows.map((r) => r.subjectId),
        rows.map((r) => r.policyKey),
        rows.map((r) => r.action),
        rows.map((r) => r.system.id),
        rows.map((r) => r.system.key),
        rows.map((r) => r.system.kind),
        rows.map((r) => r.sealed),
        rows.map((r) => r.status),
      ],
    )) as { id: string; status: string }[];
  }

  find(id: string): Promise<RetentionSystemNotice | null> {
    return this.dataSource.getRepository(RetentionSystemNotice).findOne({ where: { id } });
  }

  async recordAttempt(id: string, attempts: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE retention_system_notices SET attempts = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`,
      [id, attempts, error],
    );
  }

  /** False when the notice was settled already. The identifiers snapshot goes with it. */
  async settle(
    m: EntityManager,
    id: string,
    status: 'sent' | 'failed',
    attempts: number,
    error: string | null,
  ): Promise<boolean> {
    const updated = (await m.query(
      `UPDATE retention_system_notices
          SET status = $2, attempts = $3, last_error = $4, subject_sealed = NULL,
              sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE NULL END
        WHERE id = $1 AND status = 'pending' RETURNING 1`,
      [id, status, attempts, error],
    )) as [unknown[], number];
    return updated[0].length > 0;
  }

  async countsByRun(runIds: string[]): Promise<{ run_id: string; status: NoticeStatus; n: number }[]> {
    return (await this.dataSource.query(
      `SELECT run_id, status, count(*)::int AS n FROM retention_system_notices
        WHERE run_id = ANY($1::uuid[]) GROUP BY run_id, status`,
      [runIds],
    )) as { run_id: string; status: NoticeStatus; n: number }[];
  }

  list(
    runId: string,
    after: { subjectId: string; systemKey: string } | undefined,
    limit: number,
    status?: NoticeStatus,
  ): Promise<RetentionSystemNotice[]> {
    const qb = this.dataSource
      .getRepository(RetentionSystemNotice)
      .createQueryBuilder('n')
      .where('n.runId = :runId', { runId })
      .orderBy('n.subjectId')
      .addOrderBy('n.systemKey')
      .limit(limit);
    if (after) qb.andWhere('(n.subjectId, n.systemKey) > (:subjectId, :systemKey)', after);
    if (status) qb.andWhere('n.status = :status', { status });
    return qb.getMany();
  }
}
