import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { requestContext } from '../common/context/request-context';
import { chainHash, GENESIS_HASH, verifyBatch, VerifyState } from './audit-chain';
import { AuditEntry } from './audit-entry.entity';
import { AuditListFilter, AuditRepository } from './audit.repository';
import { SubjectAliases } from './subject-aliases';
import type { VerifyResult } from './audit.responses';

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

/** The list filter as callers give it: one subject id, which the service widens to the subject and its aliases. */
export type AuditFilter = Omit<AuditListFilter, 'subjectIds'> & { subjectId?: string };

// Any constant works; it names the one lock that serialises appends so the chain never forks.
const AUDIT_LOCK = 0x2a0d17;

@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly dataSource: DataSource,
    @Optional() private readonly aliases?: SubjectAliases,
  ) {}

  /**
   * Art. 5(2) and 32: a read that returned decrypted personal data is on record (who, which subject, which
   * route), in its own transaction since a read has none. Written before the answer leaves, so an answer is
   * never sent without its entry; a failure here fails the read (closed) rather than leave it unrecorded.
   */
  async appendRead(inputs: AuditInput[]): Promise<void> {
    if (!inputs.length) return;
    await this.dataSource.transaction((m) => this.appendMany(m, inputs));
  }

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
    await this.repo.lockChain(manager, AUDIT_LOCK);
    const last = await this.repo.findHead(manager);
    const ctx = requestContext.get();
    const contextActor = ctx?.principal ? { type: ctx.principal.kind, id: ctx.principal.id } : null;
    let seq = last ? BigInt(last.seq) : 0n;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const occurredAt = new Date();
    const entries = inputs.map((input) => {
      const actor = input.actor ?? contextActor ?? { type: 'system', id: 'zgoda' };
      seq += 1n;
      const entry = this.repo.build(manager, {
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
    await this.repo.insert(manager, entries);
    return entries;
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const { subjectId, ...rest } = filter;
    if (!subjectId) return this.repo.list(rest);
    const subjectIds = this.aliases ? await this.aliases.aliasesOf(subjectId) : [subjectId];
    return this.repo.list({ ...rest, subjectIds });
  }

  async findForTarget(targetType: string, targetId: string): Promise<AuditEntry[]> {
    return this.repo.findForTarget(targetType, targetId);
  }

  /** Recomputes the whole chain in batches (flat memory) and names the first entry that does not match. */
  async verify(batchSize = 5000): Promise<VerifyResult> {
    let state: VerifyState = { prevHash: GENESIS_HASH, expectedSeq: 1n, checked: 0 };
    let after = '0';
    for (;;) {
      const rows = await this.repo.listAfter(after, batchSize);
      if (!rows.length) break;
      state = verifyBatch(state, rows);
      if (state.firstInvalidSeq) break;
      after = rows[rows.length - 1].seq;
    }
    const head = await this.repo.findHead();
    return {
      valid: !state.firstInvalidSeq,
      checked: state.checked,
      head: head ? { seq: String(head.seq), hash: head.hash } : null,
      ...(state.firstInvalidSeq ? { firstInvalidSeq: state.firstInvalidSeq } : {}),
    };
  }
}
