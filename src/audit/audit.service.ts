import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { requestContext } from '../common/context/request-context';
import { entryLeafHash } from './audit-chain';
import { AuditEntry } from './audit-entry.entity';
import { AuditTreeRepository } from './audit-tree.repository';
import { AuditListFilter, AuditRepository, NewAuditEntry } from './audit.repository';
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

/** The list filter as callers give it: one subject id, which the service widens to the subject and its aliases. */
export type AuditFilter = Omit<AuditListFilter, 'subjectIds'> & { subjectId?: string };

@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly tree: AuditTreeRepository,
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
   * Appends one entry inside the caller's transaction: the change and its audit entry commit together or not at all.
   * One INSERT and no lock (issue 16): the sequencer in the worker puts committed entries in order and seals them.
   */
  async append(manager: EntityManager, input: AuditInput): Promise<AuditEntry> {
    return (await this.appendMany(manager, [input]))[0];
  }

  /** `append` for several entries: one INSERT however many (a retention batch's erasures). */
  async appendMany(manager: EntityManager, inputs: AuditInput[]): Promise<AuditEntry[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditService.append must run inside a transaction');
    }
    if (!inputs.length) return [];
    const ctx = requestContext.get();
    const contextActor = ctx?.principal ? { type: ctx.principal.kind, id: ctx.principal.id } : null;
    const occurredAt = new Date();
    const entries = inputs.map((input): NewAuditEntry => {
      const actor = input.actor ?? contextActor ?? { type: 'system', id: 'zgoda' };
      return {
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
      };
    });
    const seqs = await this.repo.insert(manager, entries);
    return entries.map((e) => ({ ...e, seq: seqs.get(e.id)!, prevHash: null, hash: null }));
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

  /**
   * What a verifier needs to prove these entries are in the signed tree: each one's RFC 9162 leaf hash, and its leaf
   * position once the sequencer sealed it (null before; GET /v1/audit/entries/{seq}/proof then answers 404).
   */
  async sealing(entries: AuditEntry[]): Promise<Map<string, { leafHash: string; position: number | null }>> {
    const positions = await this.tree.positionsOf(entries.map((e) => String(e.seq)));
    return new Map(
      entries.map((e) => [
        String(e.seq),
        { leafHash: entryLeafHash(e).toString('hex'), position: positions.get(String(e.seq)) ?? null },
      ]),
    );
  }
}
