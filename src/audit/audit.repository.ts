import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry.entity';

export interface AuditListFilter {
  /** The subject and its aliases, already resolved by the service. */
  subjectIds?: string[];
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  afterSeq?: string;
  limit: number;
}

export interface AuditHead {
  seq: string;
  hash: string;
}

/** The SQL of the audit log; the append path takes the caller's transaction manager. */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Transaction-scoped: released at commit or rollback, never by hand. */
  async lockChain(m: EntityManager, lockKey: number): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
  }

  async findHead(m: EntityManager = this.dataSource.manager): Promise<AuditHead | undefined> {
    const [last] = (await m.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')) as AuditHead[];
    return last;
  }

  build(m: EntityManager, fields: Partial<AuditEntry>): AuditEntry {
    return m.create(AuditEntry, fields);
  }

  async insert(m: EntityManager, entries: AuditEntry[]): Promise<void> {
    await m.getRepository(AuditEntry).insert(entries as never);
  }

  list(filter: AuditListFilter, m: EntityManager = this.dataSource.manager): Promise<AuditEntry[]> {
    const qb = m.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.seq', 'DESC').limit(filter.limit);
    if (filter.subjectIds) qb.andWhere('a.subjectId IN (:...subjectIds)', { subjectIds: filter.subjectIds });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.targetType) qb.andWhere('a.targetType = :targetType', { targetType: filter.targetType });
    if (filter.targetId) qb.andWhere('a.targetId = :targetId', { targetId: filter.targetId });
    if (filter.from) qb.andWhere('a.occurredAt >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.occurredAt < :to', { to: filter.to });
    if (filter.afterSeq) qb.andWhere('a.seq < :afterSeq', { afterSeq: filter.afterSeq });
    return qb.getMany();
  }

  findForTarget(
    targetType: string,
    targetId: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<AuditEntry[]> {
    return m.getRepository(AuditEntry).find({ where: { targetType, targetId }, order: { seq: 'ASC' } });
  }

  /** One verification batch: the entries after `afterSeq`, in chain order. */
  listAfter(afterSeq: string, limit: number, m: EntityManager = this.dataSource.manager): Promise<AuditEntry[]> {
    return m
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .where('a.seq > :after', { after: afterSeq })
      .orderBy('a.seq', 'ASC')
      .limit(limit)
      .getMany();
  }
}
