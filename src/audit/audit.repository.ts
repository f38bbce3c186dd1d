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

/** An entry before the database gave it its `seq`. */
export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

const ENTRY_COLUMNS = `seq, id, occurred_at AS "occurredAt", actor_type AS "actorType", actor_id AS "actorId", action,
  target_type AS "targetType", target_id AS "targetId", subject_id AS "subjectId", reason,
  correlation_id AS "correlationId", data, prev_hash AS "prevHash", hash`;

/** The SQL of the audit log; the append path takes the caller's transaction manager. */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One statement, no lock: `seq` and `tx` come from the column defaults (a sequence and the writing transaction's
   * id), so concurrent writers never wait on each other. Returns each entry's `seq`, matched by id.
   */
  async insert(m: EntityManager, entries: NewAuditEntry[]): Promise<Map<string, string>> {
    const col = <K extends keyof NewAuditEntry>(k: K) => entries.map((e) => e[k]);
    const rows = (await m.query(
      `INSERT INTO audit_log (id, occurred_at, actor_type, actor_id, action, target_type, target_id, subject_id,
                              reason, correlation_id, data)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::uuid[], $9::text[], $10::text[], $11::jsonb[])
       RETURNING id, seq`,
      [
        col('id'),
        col('occurredAt'),
        col('actorType'),
        col('actorId'),
        col('action'),
        col('targetType'),
        col('targetId'),
        col('subjectId'),
        col('reason'),
        col('correlationId'),
        entries.map((e) => (e.data === null ? null : JSON.stringify(e.data))),
      ],
    )) as { id: string; seq: string }[];
    return new Map(rows.map((r) => [r.id, r.seq]));
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

  /** One batch of the legacy hash chain (entries from before the Merkle tree), in chain order. */
  legacyAfter(afterSeq: string, limit: number, m: EntityManager = this.dataSource.manager): Promise<AuditEntry[]> {
    return m.query(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE hash IS NOT NULL AND seq > $1 ORDER BY seq LIMIT $2`, [
      afterSeq,
      limit,
    ]) as Promise<AuditEntry[]>;
  }

  /** The last legacy entry, the head the chain check reports. */
  async legacyHead(m: EntityManager = this.dataSource.manager): Promise<{ seq: string; hash: string } | undefined> {
    const [row] = (await m.query(
      `SELECT seq, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1`,
    )) as { seq: string; hash: string }[];
    return row;
  }
}
