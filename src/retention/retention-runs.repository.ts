import { affectedRows } from '../common/db/purge-in-batches';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RetentionReviewTask } from './retention-review-task.entity';
import { RetentionRunItem } from './retention-run-item.entity';
import { RetentionRun } from './retention-run.entity';
import { ACTIVE_RUN_STATUSES, ItemOutcome } from './retention.types';

// Serialises run creation: the check "no run is active" and the insert happen under it.
const RUN_CREATE_LOCK = 0x2a0d61;
// Namespace of the per-run advisory locks, apart from every other lock user.
export const RUN_LOCK_NAMESPACE = 0x2a0d60;

export interface ItemRow {
  subjectId: string;
  policyKey: string;
  outcome: ItemOutcome;
}

/** The SQL of retention runs, their items and review tasks; writes take the caller's manager. */
@Injectable()
export class RetentionRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Until the caller's transaction ends. */
  async lockRunCreation(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1)', [RUN_CREATE_LOCK]);
  }

  /**
   * Runs `fn` holding the run's session advisory lock, on a connection of its own. A killed worker's
   * session ends with its process, and its lock with it.
   */
  async withRunLock<T>(runId: string, fn: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1, hashtext($2))', [RUN_LOCK_NAMESPACE, runId]);
      try {
        return await fn();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [RUN_LOCK_NAMESPACE, runId]);
      }
    } finally {
      await runner.release();
    }
  }

  async savepoint(m: EntityManager): Promise<void> {
    await m.query('SAVEPOINT retention_act');
  }

  async releaseSavepoint(m: EntityManager): Promise<void> {
    await m.query('RELEASE SAVEPOINT retention_act');
  }

  async rollbackToSavepoint(m: EntityManager): Promise<void> {
    await m.query('ROLLBACK TO SAVEPOINT retention_act');
    await m.query('RELEASE SAVEPOINT retention_act');
  }

  async insertRun(m: EntityManager, run: Partial<RetentionRun>): Promise<void> {
    await m.getRepository(RetentionRun).insert(run as never);
  }

  findActive(m: EntityManager = this.dataSource.manager): Promise<RetentionRun | null> {
    return m
      .getRepository(RetentionRun)
      .createQueryBuilder('r')
      .where('r.status IN (:...statuses)', { statuses: ACTIVE_RUN_STATUSES })
      .getOne();
  }

  findBySourceKey(m: EntityManager, sourceKey: string): Promise<RetentionRun | null> {
    return m.getRepository(RetentionRun).findOne({ where: { sourceKey } });
  }

  find(id: string, m: EntityManager = this.dataSource.manager): Promise<RetentionRun | null> {
    return m.getRepository(RetentionRun).findOne({ where: { id } });
  }

  lock(m: EntityManager, id: string): Promise<RetentionRun | null> {
    return m.getRepository(RetentionRun).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(m: EntityManager, id: string, patch: Partial<RetentionRun>): Promise<void> {
    await m.getRepository(RetentionRun).update(id, { ...patch, updatedAt: new Date() } as never);
  }

  /** Queued -> running; false when another job started it first. */
  async markStarted(id: string): Promise<boolean> {
    const res = await this.dataSource
      .getRepository(RetentionRun)
      .update({ id, status: 'queued' }, { status: 'running', startedAt: new Date(), updatedAt: new Date() });
    return (res.affected ?? 0) > 0;
  }

  /** Newest first. */
  list(before: { createdAt: string; id: string } | undefined, limit: number): Promise<RetentionRun[]> {
    const qb = this.dataSource
      .getRepository(RetentionRun)
      .createQueryBuilder('r')
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit);
    if (before) qb.where('(r.createdAt, r.id) < (:createdAt, :id)', before);
    return qb.getMany();
  }

  /** Active runs whose last batch committed before `stalledBefore` (null: every active run). */
  async activeRunIds(stalledBefore: Date | null): Promise<{ id: string; batches: number }[]> {
    return (await this.dataSource.query(
      `SELECT id, batches FROM retention_runs
        WHERE status IN ('queued', 'running') AND ($1::timestamptz IS NULL OR updated_at < $1)`,
      [stalledBefore],
    )) as { id: string; batches: number }[];
  }

  /** A run's items in subject order (the primary key's), optionally of one outcome. */
  items(
    runId: string,
    after: { subjectId: string; policyKey: string } | undefined,
    limit: number,
    outcomes?: ItemOutcome[],
  ): Promise<RetentionRunItem[]> {
    const qb = this.dataSource
      .getRepository(RetentionRunItem)
      .createQueryBuilder('i')
      .where('i.runId = :runId', { runId })
      .orderBy('i.subjectId')
      .addOrderBy('i.policyKey')
      .limit(limit);
    if (after) qb.andWhere('(i.subjectId, i.policyKey) > (:subjectId, :policyKey)', after);
    if (outcomes?.length) qb.andWhere('i.outcome IN (:...outcomes)', { outcomes });
    return qb.getMany();
  }

  /** Of these subjects, those this run has already dealt with (a batch re-delivered after a crash). */
  async subjectsWithItems(runId: string, subjectIds: string[]): Promise<Set<string>> {
    if (!subjectIds.length) return new Set();
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT subject_id FROM retention_run_items WHERE run_id = $1 AND subject_id = ANY($2::uuid[])`,
      [runId, subjectIds],
    )) as { subject_id: string }[];
    return new Set(rows.map((r) => r.subject_id));
  }

  /**
   * Inserts items, skipping any the run already has; returns how many were new. The primary key makes a
   * concurrent insert of the same item wait for the first to commit, then skip it.
   */
  async insertItems(m: EntityManager, runId: string, batch: number, rows: ItemRow[]): Promise<number> {
    return (await this.insertNewItems(m, runId, batch, rows)).length;
  }

  /** `insertItems`, returning the subject id of each item that was new. */
  async insertNewItems(m: EntityManager, runId: string, batch: number, rows: ItemRow[]): Promise<string[]> {
    if (!rows.length) return [];
    const inserted = (await m.query(
      `INSERT INTO retention_run_items (run_id, subject_id, policy_key, outcome, batch)
       SELECT $1, s, p, o, $2 FROM unnest($3::uuid[], $4::text[], $5::text[]) AS t(s, p, o)
       ON CONFLICT DO NOTHING RETURNING subject_id`,
      [runId, batch, rows.map((r) => r.subjectId), rows.map((r) => r.policyKey), rows.map((r) => r.outcome)],
    )) as { subject_id: string }[];
    return inserted.map((r) => r.subject_id);
  }

  /** Every item of these subjects in the run gets this outcome (a subject found held, or failed, at the last moment). */
  async setOutcome(m: EntityManager, runId: string, subjectIds: string[], outcome: ItemOutcome): Promise<void> {
    if (!subjectIds.length) return;
    await m.query(`UPDATE retention_run_items SET outcome = $3 WHERE run_id = $1 AND subject_id = ANY($2::uuid[])`, [
      runId,
      subjectIds,
      outcome,
    ]);
  }

  async batchItems(m: EntityManager, runId: string, batch: number): Promise<ItemRow[]> {
    const rows = (await m.query(
      `SELECT subject_id, policy_key, outcome FROM retention_run_items WHERE run_id = $1 AND batch = $2`,
      [runId, batch],
    )) as { subject_id: string; policy_key: string; outcome: ItemOutcome }[];
    return rows.map((r) => ({ subjectId: r.subject_id, policyKey: r.policy_key, outcome: r.outcome }));
  }

  /** `subjectId\0policyKey` of review tasks already raised for these subjects and policies. */
  async reviewsRaised(subjectIds: string[], policyKeys: string[]): Promise<Set<string>> {
    if (!subjectIds.length || !policyKeys.length) return new Set();
    const rows = (await this.dataSource.query(
      `SELECT subject_id, policy_key FROM retention_review_tasks
        WHERE subject_id = ANY($1::uuid[]) AND policy_key = ANY($2::text[])`,
      [subjectIds, policyKeys],
    )) as { subject_id: string; policy_key: string }[];
    return new Set(rows.map((r) => `${r.subject_id}\u0000${r.policy_key}`));
  }

  /** Tasks in one statement; one for a subject and policy that has one already is skipped. Returns how many were new. */
  async insertReviews(m: EntityManager, rows: Omit<RetentionReviewTask, 'createdAt'>[]): Promise<number> {
    if (!rows.length) return 0;
    const inserted = (await m.query(
      `INSERT INTO retention_review_tasks (id, subject_id, policy_key, policy_version, run_id, due_at, status, created_at)
       SELECT id, s, p, v, r, d, 'open', $1
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::uuid[], $7::timestamptz[]) AS t(id, s, p, v, r, d)
       ON CONFLICT DO NOTHING RETURNING 1`,
      // created_at in milliseconds, like the list cursor that pages by it
      [
        new Date(),
        rows.map((r) => r.id),
        rows.map((r) => r.subjectId),
        rows.map((r) => r.policyKey),
        rows.map((r) => r.policyVersion),
        rows.map((r) => r.runId),
        rows.map((r) => r.dueAt),
      ],
    )) as unknown[];
    return inserted.length;
  }

  listReviews(
    filter: { status?: string; policyKey?: string },
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<RetentionReviewTask[]> {
    const qb = this.dataSource
      .getRepository(RetentionReviewTask)
      .createQueryBuilder('t')
      .orderBy('t.createdAt', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .limit(limit);
    if (filter.status) qb.andWhere('t.status = :status', { status: filter.status });
    if (filter.policyKey) qb.andWhere('t.policyKey = :policyKey', { policyKey: filter.policyKey });
    if (after) qb.andWhere('(t.createdAt, t.id) > (:createdAt, :id)', after);
    return qb.getMany();
  }

  lockReview(m: EntityManager, id: string): Promise<RetentionReviewTask | null> {
    return m.getRepository(RetentionReviewTask).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async updateReview(m: EntityManager, id: string, patch: Partial<RetentionReviewTask>): Promise<void> {
    await m.getRepository(RetentionReviewTask).update(id, patch as never);
  }

  /** Housekeeping: up to `limit` items of runs that finished more than `days` ago; how many went. */
  async deleteItemsOfRunsFinishedBefore(days: number, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM retention_run_items WHERE (run_id, subject_id, policy_key) IN (
         SELECT i.run_id, i.subject_id, i.policy_key
           FROM retention_runs r JOIN retention_run_items i ON i.run_id = r.id
          WHERE r.status IN ('completed', 'cancelled') AND r.finished_at < now() - make_interval(days => $1)
          LIMIT $2)`,
        [days, limit],
      ),
    );
  }
}
