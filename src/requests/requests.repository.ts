import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OPEN_STATUSES } from './request-state';
import { RequestResult } from './request-result.entity';
import { RequestTask } from './request-task.entity';
import { DsrRequest } from './request.entity';
import type { RequestStatus, RequestType } from './request.types';

export interface RequestFilter {
  status?: RequestStatus;
  type?: RequestType;
  overdue?: boolean;
  /** Open, due within this many days, not yet overdue. */
  atRiskDays?: number;
  subjectId?: string;
  limit: number;
  /** `received`: newest first, keyset (received_at, id). `due`: open only, binding deadline first, keyset (deadline, id). */
  order?:
    | { by: 'received'; after?: { receivedAt: string; id: string } }
    | { by: 'due'; after?: { dueAt: string; id: string } };
}

/** The binding deadline in SQL: the extended one when there is an extension. */
const DUE = `COALESCE(r.extended_due_at, r.due_at)`;

@Injectable()
export class RequestsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, row: Partial<DsrRequest>): Promise<void> {
    await m.getRepository(DsrRequest).insert(row as DsrRequest);
  }

  find(id: string, m: EntityManager = this.dataSource.manager): Promise<DsrRequest | null> {
    return m.getRepository(DsrRequest).findOne({ where: { id } });
  }

  lock(m: EntityManager, id: string): Promise<DsrRequest | null> {
    return m.getRepository(DsrRequest).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(m: EntityManager, id: string, patch: Partial<DsrRequest>): Promise<void> {
    await m.getRepository(DsrRequest).update(id, { ...patch, updatedAt: new Date() } as never);
  }

  /** The oldest open request of this subject and type, other than `exceptId`. */
  findOpenFor(
    m: EntityManager,
    subjectId: string,
    type: RequestType,
    statuses: readonly RequestStatus[] = OPEN_STATUSES,
    exceptId?: string,
  ): Promise<DsrRequest | null> {
    const qb = m
      .getRepository(DsrRequest)
      .createQueryBuilder('r')
      .where('r.subjectId = :subjectId AND r.type = :type AND r.status IN (:...statuses)', {
        subjectId,
        type,
        statuses,
      })
      .orderBy('r.receivedAt', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(1);
    if (exceptId) qb.andWhere('r.id <> :exceptId', { exceptId });
    return qb.getOne();
  }

  list(filter: RequestFilter): Promise<DsrRequest[]> {
    const qb = this.dataSource.getRepository(DsrRequest).createQueryBuilder('r').limit(filter.limit);
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter.type) qb.andWhere('r.type = :type', { type: filter.type });
    if (filter.subjectId) qb.andWhere('r.subjectId = :subjectId', { subjectId: filter.subjectId });
    // The same open set as the partial index ix_requests_open_due, the sweep and the metrics.
    const open = `r.status NOT IN ('completed', 'cancelled')`;
    if (filter.overdue) qb.andWhere(`${open} AND ${DUE} < now()`);
    if (filter.atRiskDays !== undefined) {
      qb.andWhere(`${open} AND ${DUE} >= now() AND ${DUE} < now() + make_interval(days => :atRiskDays)`, {
        atRiskDays: filter.atRiskDays,
      });
    }
    const order = filter.order ?? { by: 'received' };
    if (order.by === 'due') {
      qb.andWhere(open).orderBy(DUE, 'ASC').addOrderBy('r.id', 'ASC');
      if (order.after) qb.andWhere(`(${DUE}, r.id) > (CAST(:dueAt AS timestamptz), CAST(:id AS uuid))`, order.after);
    } else {
      qb.orderBy('r.receivedAt', 'DESC').addOrderBy('r.id', 'DESC');
      if (order.after) qb.andWhere('(r.receivedAt, r.id) < (:receivedAt, :id)', order.after);
    }
    return qb.getMany();
  }

  /**
   * Requests nobody verified in time (LEGAL item 15: links are short-lived, requests end). Counted from
   * when we asked (created_at), not from receipt: a letter entered weeks after it arrived still gets its
   * full time to be confirmed.
   */
  async expiredUnverified(olderThan: Date, limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM requests WHERE status = 'awaiting_verification' AND created_at < $1 ORDER BY created_at LIMIT $2`,
      [olderThan, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Open requests whose deadline state differs from what the sweep recorded. */
  async deadlineChanges(atRiskDays: number, limit: number): Promise<{ id: string; state: string }[]> {
    return (await this.dataSource.query(
      `SELECT id, state FROM (
         SELECT r.id, r.deadline_state,
                CASE WHEN ${DUE} < now() THEN 'overdue'
                     WHEN ${DUE} < now() + make_interval(days => $1) THEN 'at_risk'
                     ELSE 'ok' END AS state
           FROM requests r WHERE r.status NOT IN ('completed', 'cancelled')) s
        WHERE s.state <> s.deadline_state LIMIT $2`,
      [atRiskDays, limit],
    )) as { id: string; state: string }[];
  }

  async setDeadlineState(m: EntityManager, id: string, from: string, to: string): Promise<boolean> {
    const res = await m.query(
      `UPDATE requests SET deadline_state = $3 WHERE id = $1 AND deadline_state = $2 RETURNING id`,
      [id, from, to],
    );
    return (res as unknown[][])[0]?.length > 0;
  }

  /** Counts for /metrics and the DPO digest, now. */
  async deadlineCounts(atRiskDays: number): Promise<{ open: number; atRisk: number; overdue: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS open,
              count(*) FILTER (WHERE ${DUE} >= now() AND ${DUE} < now() + make_interval(days => $1))::int AS at_risk,
              count(*) FILTER (WHERE ${DUE} < now())::int AS overdue
         FROM requests r WHERE r.status NOT IN ('completed', 'cancelled')`,
      [atRiskDays],
    )) as { open: number; at_risk: number; overdue: number }[];
    return { open: row.open, atRisk: row.at_risk, overdue: row.overdue };
  }

  async periodCounts(from: Date, to: Date): Promise<{ received: number; completed: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE received_at >= $1 AND received_at < $2)::int AS received,
              count(*) FILTER (WHERE completed_at >= $1 AND completed_at < $2 AND status = 'completed')::int AS completed
         FROM requests`,
      [from, to],
    )) as { received: number; completed: number }[];
    return row;
  }

  /** The most urgent open requests: ids, types and deadlines only. */
  async needingAttention(atRiskDays: number, limit: number): Promise<{ id: string; type: RequestType; due: Date }[]> {
    return (await this.dataSource.query(
      `SELECT r.id, r.type, ${DUE} AS due FROM requests r
        WHERE r.status NOT IN ('completed', 'cancelled') AND ${DUE} < now() + make_interval(days => $1)
        ORDER BY ${DUE} LIMIT $2`,
      [atRiskDays, limit],
    )) as { id: string; type: RequestType; due: Date }[];
  }

  /**
   * Art. 17 for the module's own copies: on a subject's erasure, the sealed free text of closed requests,
   * every access package and every task answer go. Open requests keep what they still need (the address
   * to send the answer to, the identifiers for the systems not yet told) until they end. One subject or a
   * retention batch of them: three statements whatever the count.
   */
  async wipeForErasedSubjects(m: EntityManager, subjectIds: string[]): Promise<void> {
    if (!subjectIds.length) return;
    await m.query(
      `UPDATE requests SET details_sealed = NULL, resolution_reason_sealed = NULL, extension_reason_sealed = NULL,
              contact_sealed = NULL
        WHERE subject_id = ANY($1::uuid[]) AND status IN ('completed', 'cancelled')`,
      [subjectIds],
    );
    await m.query(
      `DELETE FROM request_results WHERE request_id IN (SELECT id FROM requests WHERE subject_id = ANY($1::uuid[]))`,
      [subjectIds],
    );
    await m.query(
      `UPDATE request_tasks SET result_sealed = NULL
        WHERE request_id IN (SELECT id FROM requests WHERE subject_id = ANY($1::uuid[]))`,
      [subjectIds],
    );
  }

  /** Merges: the survivor answers for the merged record's requests. */
  async repoint(m: EntityManager, fromSubjectId: string, toSubjectId: string): Promise<void> {
    await m.query(`UPDATE requests SET subject_id = $2 WHERE subject_id = $1`, [fromSubjectId, toSubjectId]);
  }

  // --- tasks

  async insertTasks(m: EntityManager, rows: Partial<RequestTask>[]): Promise<void> {
    if (rows.length) await m.getRepository(RequestTask).insert(rows as RequestTask[]);
  }

  tasksOf(requestId: string, m: EntityManager = this.dataSource.manager): Promise<RequestTask[]> {
    return m.getRepository(RequestTask).find({ where: { requestId }, order: { systemKey: 'ASC' } });
  }

  findTask(id: string, m: EntityManager = this.dataSource.manager): Promise<RequestTask | null> {
    return m.getRepository(RequestTask).findOne({ where: { id } });
  }

  lockTask(m: EntityManager, id: string): Promise<RequestTask | null> {
    return m.getRepository(RequestTask).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async updateTask(m: EntityManager, id: string, patch: Partial<RequestTask>): Promise<void> {
    await m.getRepository(RequestTask).update(id, { ...patch, updatedAt: new Date() } as never);
  }

  async wipeTaskSnapshots(m: EntityManager, requestId: string): Promise<void> {
    await m.query(`UPDATE request_tasks SET subject_sealed = NULL WHERE request_id = $1`, [requestId]);
  }

  /**
   * Completed erasures that kept data under a legal hold and have no follow-up yet, after `afterId` in id
   * order (keyset), with the subject they were about.
   */
  async heldErasures(afterId: string, limit: number): Promise<{ id: string; subject_id: string }[]> {
    return (await this.dataSource.query(
      `SELECT r.id, r.subject_id FROM requests r
        WHERE r.id > $1 AND r.type = 'erasure' AND r.status = 'completed' AND r.subject_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM request_tasks t WHERE t.request_id = r.id
                         AND t.status = 'retained' AND t.retained_reason = 'legal_hold')
          AND NOT EXISTS (SELECT 1 FROM requests f WHERE f.follows = r.id)
        ORDER BY r.id LIMIT $2`,
      [afterId, limit],
    )) as { id: string; subject_id: string }[];
  }

  async followUpOf(m: EntityManager, id: string): Promise<DsrRequest | null> {
    return m.getRepository(DsrRequest).findOne({ where: { follows: id } });
  }

  /** Serialises the callers holding the same key until the transaction ends. */
  async advisoryLock(m: EntityManager, key: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  }

  // --- results

  async insertResult(m: EntityManager, row: RequestResult): Promise<void> {
    await m.createQueryBuilder().insert().into(RequestResult).values(row).orIgnore().execute();
  }

  findResult(requestId: string): Promise<RequestResult | null> {
    return this.dataSource.getRepository(RequestResult).findOne({ where: { requestId } });
  }

  async hasResult(requestId: string): Promise<boolean> {
    return (await this.dataSource.getRepository(RequestResult).count({ where: { requestId } })) > 0;
  }

  /** Packages made before `before`, oldest first, locked for deletion. */
  async lockResultsBefore(
    m: EntityManager,
    before: Date,
    limit: number,
  ): Promise<{ request_id: string; size: number; created_at: Date }[]> {
    // SKIP LOCKED: two purges (two workers) split the work instead of waiting for each other.
    return (await m.query(
      `SELECT request_id, size, created_at FROM request_results WHERE created_at < $1
        ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [before, limit],
    )) as { request_id: string; size: number; created_at: Date }[];
  }

  async deleteResults(m: EntityManager, requestIds: string[]): Promise<void> {
    await m.query('DELETE FROM request_results WHERE request_id = ANY($1::uuid[])', [requestIds]);
  }
}
