import { affectedRows } from '../common/db/purge-in-batches';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AT_RISK_HOURS, NOTIFY_AUTHORITY_WITHIN_HOURS } from './breach-deadline';
import { BreachAuthorityNotification } from './breach-authority-notification.entity';
import { BreachDigest } from './breach-digest.entity';
import { BreachState } from './breach-changes';
import { BreachEvent, BreachEventType } from './breach-event.entity';
import { Breach, BreachStatus, RiskAssessment } from './breach.entity';

export interface BreachFilter {
  status?: BreachStatus;
  riskAssessment?: RiskAssessment;
  /** The clock is running and the deadline has passed. */
  overdue?: boolean;
  /** The clock is running with at most AT_RISK_HOURS left. */
  atRisk?: boolean;
  from?: Date;
  to?: Date;
  after?: { awareAt: string; id: string };
  limit: number;
}

export interface NewEvent {
  breachId: string;
  type: BreachEventType;
  actor: { type: string; id: string };
  data: Record<string, unknown>;
}

// The clock runs until UODO is notified, unless the risk was assessed as unlikely (Art. 33(1)).
const CLOCK_RUNNING = `b.authority_notified_at IS NULL AND b.status <> 'closed' AND b.risk_assessment IS DISTINCT FROM 'none'`;
const DEADLINE = `b.aware_at + interval '${NOTIFY_AUTHORITY_WITHIN_HOURS} hours'`;
const OVERDUE = `(${CLOCK_RUNNING} AND ${DEADLINE} < now())`;
const AT_RISK = `(${CLOCK_RUNNING} AND ${DEADLINE} >= now() AND ${DEADLINE} <= now() + interval '${AT_RISK_HOURS} hours')`;

@Injectable()
export class BreachesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Serialises two workers running the same hour's digest until the first commits (then digestExists sees it). */
  async lockDigest(m: EntityManager, job: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [job]);
  }

  async insert(m: EntityManager, state: BreachState): Promise<Breach> {
    const repo = m.getRepository(Breach);
    return repo.save(repo.create(state));
  }

  async update(m: EntityManager, id: string, state: Partial<BreachState>): Promise<void> {
    await m.getRepository(Breach).update(id, state);
  }

  findById(id: string): Promise<Breach | null> {
    return this.dataSource.getRepository(Breach).findOne({ where: { id } });
  }

  /** Serialises changes to one incident: two PATCHes must not both diff against the same old state. */
  lockById(m: EntityManager, id: string): Promise<Breach | null> {
    return m.getRepository(Breach).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  list(f: BreachFilter): Promise<Breach[]> {
    const qb = this.dataSource
      .getRepository(Breach)
      .createQueryBuilder('b')
      .orderBy('b.awareAt', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(f.limit);
    if (f.status) qb.andWhere('b.status = :status', { status: f.status });
    if (f.riskAssessment) qb.andWhere('b.riskAssessment = :risk', { risk: f.riskAssessment });
    if (f.overdue !== undefined) qb.andWhere(f.overdue ? OVERDUE : `NOT ${OVERDUE}`);
    if (f.atRisk !== undefined) qb.andWhere(f.atRisk ? AT_RISK : `NOT ${AT_RISK}`);
    if (f.from) qb.andWhere('b.awareAt >= :from', { from: f.from });
    if (f.to) qb.andWhere('b.awareAt < :to', { to: f.to });
    if (f.after)
      qb.andWhere('(b.awareAt, b.id) < (:afterAt, :afterId)', { afterAt: f.after.awareAt, afterId: f.after.id });
    return qb.getMany();
  }

  /** Incidents whose clock needs the DPO now, most urgent first (the hourly digest). */
  listNeedingAttention(limit: number): Promise<Breach[]> {
    return this.dataSource
      .getRepository(Breach)
      .createQueryBuilder('b')
      .where(`(${OVERDUE} OR ${AT_RISK})`)
      .orderBy('b.awareAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  async clockCounts(): Promise<{ atRisk: number; overdue: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE ${AT_RISK})::int AS at_risk, count(*) FILTER (WHERE ${OVERDUE})::int AS overdue
         FROM breaches b WHERE ${CLOCK_RUNNING}`,
    )) as { at_risk: number; overdue: number }[];
    return { atRisk: row.at_risk, overdue: row.overdue };
  }

  async appendEvent(m: EntityManager, e: NewEvent): Promise<void> {
    await m.getRepository(BreachEvent).insert({
      breachId: e.breachId,
      type: e.type,
      actorType: e.actor.type,
      actorId: e.actor.id,
      data: e.data as never,
    });
  }

  listEvents(breachId: string, afterSeq: string | undefined, limit: number): Promise<BreachEvent[]> {
    const qb = this.dataSource
      .getRepository(BreachEvent)
      .createQueryBuilder('e')
      .where('e.breachId = :breachId', { breachId })
      .orderBy('e.seq', 'ASC')
      .limit(limit);
    if (afterSeq) qb.andWhere('e.seq > :afterSeq', { afterSeq });
    return qb.getMany();
  }

  async insertNotification(
    m: EntityManager,
    n: Pick<BreachAuthorityNotification, 'breachId' | 'phase' | 'sentAt' | 'reference' | 'delayReasons' | 'late'>,
  ): Promise<BreachAuthorityNotification> {
    const repo = m.getRepository(BreachAuthorityNotification);
    return repo.save(repo.create(n));
  }

  listNotifications(breachId: string, m?: EntityManager): Promise<BreachAuthorityNotification[]> {
    return (m ?? this.dataSource.manager)
      .getRepository(BreachAuthorityNotification)
      .find({ where: { breachId }, order: { recordedAt: 'ASC' } });
  }

  digestExists(m: EntityManager, periodStart: Date): Promise<boolean> {
    return m.getRepository(BreachDigest).exists({ where: { periodStart } });
  }

  async insertDigest(m: EntityManager, d: Pick<BreachDigest, 'periodStart' | 'emailId' | 'breaches'>): Promise<void> {
    await m.getRepository(BreachDigest).insert(d);
  }

  /** Housekeeping: up to `limit` digest records of periods older than `days`; how many went. */
  async deleteDigestsOlderThan(days: number, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM breach_digests WHERE period_start IN (
         SELECT period_start FROM breach_digests WHERE period_start < now() - make_interval(days => $1) LIMIT $2)`,
        [days, limit],
      ),
    );
  }
}
