import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { requestContext } from '../common/context/request-context';
import { chainHash, GENESIS_HASH, verifyBatch, VerifyState } from './audit-chain';
import { AuditEntry } from './audit-entry.entity';
import { SubjectAliases } from './subject-aliases';

export interface AuditInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  subjectId?: string | null;
  reason?: string | null;
  /** Ids, counts and codes only: never personal data. */
  data?: Record<string, unknown> | null;
  actor?: { type: string; id: string };
}

export interface AuditFilter {
  subjectId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  afterSeq?: string;
  limit: number;
}

export interface VerifyResult {
  valid: boolean;
  checked: number;
  head: { seq: string; hash: string } | null;
  firstInvalidSeq?: string;
}

// Any constant works; it names the one lock that serialises appends so the chain never forks.
const AUDIT_LOCK = 0x2a0d17;

@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly aliases?: SubjectAliases,
  ) {}

  /**
   * Appends one entry inside the caller's transaction: the change and its audit entry commit together
   * or not at all. The transaction-scoped advisory lock serialises appends until commit, so two
   * concurrent writers can never chain onto the same predecessor.
   */
  async append(manager: EntityManager, input: AuditInput): Promise<AuditEntry> {
    return (await this.appendMany(manager, [input]))[0];
  }

  /**
   * `append` for several entries, chained in the order given: one lock, one read of the head and one
   * insert, so a batch of N changes (a retention batch's erasures) holds the chain lock once, not N times.
   */
  async appendMany(manager: EntityManager, inputs: AuditInput[]): Promise<AuditEntry[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditService.append must run inside a transaction');
    }
    if (!inputs.length) return [];
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const [last] = (await manager.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    const ctx = requestContext.get();
    const contextActor = ctx?.principal ? { type: ctx.principal.kind, id: ctx.principal.id } : null;
    let seq = last ? BigInt(last.seq) : 0n;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const occurredAt = new Date();
    const entries = inputs.map((input) => {
      const actor = input.actor ?? contextActor ?? { type: 'system', id: 'zgoda' };
      seq += 1n;
      const entry = manager.create(AuditEntry, {
        seq: seq.toString(),
        id: randomUUID(),
        occurredAt,
        actorType: actor.type,
        actorId: actor.id,
        action: input.action,
        targetType: input.targetType,
        targetId: input.targetId ?? null,
        subjectId: input.subjectId ?? null,
        reason: input.reason ?? null,
        correlationId: ctx?.correlationId ?? null,
        data: input.data ?? null,
        prevHash,
      });
      entry.hash = chainHash(entry.prevHash, entry);
      prevHash = entry.hash;
      return entry;
    });
    await manager.getRepository(AuditEntry).insert(entries as never);
    return entries;
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const qb = this.dataSource
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .orderBy('a.seq', 'DESC')
      .limit(filter.limit);
    if (filter.subjectId) {
      const subjectIds = this.aliases ? await this.aliases.aliasesOf(filter.subjectId) : [filter.subjectId];
      qb.andWhere('a.subjectId IN (:...subjectIds)', { subjectIds });
    }
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.targetType) qb.andWhere('a.targetType = :targetType', { targetType: filter.targetType });
    if (filter.targetId) qb.andWhere('a.targetId = :targetId', { targetId: filter.targetId });
    if (filter.from) qb.andWhere('a.occurredAt >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.occurredAt < :to', { to: filter.to });
    if (filter.afterSeq) qb.andWhere('a.seq < :afterSeq', { afterSeq: filter.afterSeq });
    return qb.getMany();
  }

  async findForTarget(targetType: string, targetId: string): Promise<AuditEntry[]> {
    return this.dataSource.getRepository(AuditEntry).find({ where: { targetType, targetId }, order: { seq: 'ASC' } });
  }

  /** Recomputes the whole chain in batches (flat memory) and names the first entry that does not match. */
  async verify(batchSize = 5000): Promise<VerifyResult> {
    let state: VerifyState = { prevHash: GENESIS_HASH, expectedSeq: 1n, checked: 0 };
    let after = '0';
    for (;;) {
      const rows = await this.dataSource
        .getRepository(AuditEntry)
        .createQueryBuilder('a')
        .where('a.seq > :after', { after })
        .orderBy('a.seq', 'ASC')
        .limit(batchSize)
        .getMany();
      if (!rows.length) break;
      state = verifyBatch(state, rows);
      if (state.firstInvalidSeq) break;
      after = rows[rows.length - 1].seq;
    }
    const [head] = (await this.dataSource.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    return {
      valid: !state.firstInvalidSeq,
      checked: state.checked,
      head: head ? { seq: String(head.seq), hash: head.hash } : null,
      ...(state.firstInvalidSeq ? { firstInvalidSeq: state.firstInvalidSeq } : {}),
    };
  }
}
