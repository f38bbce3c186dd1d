import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { requestContext } from '../common/context/request-context';
import { ProblemError } from '../common/problem/problem.error';
import { holdColumn, SubjectCipher } from './subject-cipher';
import { SubjectHoldsRepository } from './subject-holds.repository';
import { SubjectKeysRepository } from './subject-keys.repository';
import { isUuid, SubjectLookupService } from './subject-lookup.service';
import { DecryptedHold, SubjectReader } from './subject-reader.service';
import { Subject } from './subject.entity';
import { RetentionSubjectRow, SubjectsRepository } from './subjects.repository';

export type { DecryptedHold } from './subject-reader.service';
export type { RetentionSubjectRow } from './subjects.repository';

const actor = () => {
  const p = requestContext.get()?.principal;
  return p ? `${p.kind}:${p.id}` : 'system:zgoda';
};

/** Locks the subject (following a merge) and refuses an erased one. */
export async function lockLive(subjects: SubjectsRepository, m: EntityManager, id: string): Promise<Subject> {
  let subject = await subjects.lockSubject(m, id);
  if (subject?.mergedInto) subject = await subjects.lockSubject(m, subject.mergedInto);
  if (!subject) throw new ProblemError('unknown_subject', 'No subject with this id.');
  if (subject.status === 'erased') throw new ProblemError('subject_erased', 'This subject has been erased.');
  return subject;
}

/**
 * Restriction (Art. 18), objection (Art. 21) and legal holds: the states that limit what may be done,
 * and the reads retention judges subjects by. Methods with a trailing optional manager run in the
 * caller's transaction when given one, else in their own; ids of merged records are followed.
 */
@Injectable()
export class SubjectRightsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
    private readonly keys: SubjectKeysRepository,
    private readonly holds: SubjectHoldsRepository,
    private readonly cipher: SubjectCipher,
    private readonly reader: SubjectReader,
    private readonly lookup: SubjectLookupService,
    private readonly audit: AuditService,
  ) {}

  /** Art. 18: the data may then only be stored. Restricting again updates the ground. */
  async restrict(id: string, reason: string, m?: EntityManager): Promise<void> {
    if (!m) return this.dataSource.transaction((t) => this.restrict(id, reason, t));
    const s = await lockLive(this.subjects, m, id);
    if (s.status === 'restricted' && s.restrictionReason === reason) return;
    await this.subjects.updateSubject(m, s.id, {
      status: 'restricted',
      restrictionReason: reason,
      restrictedAt: s.restrictedAt ?? new Date(),
    });
    await this.audit.append(m, {
      action: 'subject.restricted',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
      reason,
    });
  }

  /** Art. 18(3): the subject must be told before this; the requests module sends that notice. */
  async liftRestriction(id: string, m?: EntityManager): Promise<void> {
    if (!m) return this.dataSource.transaction((t) => this.liftRestriction(id, t));
    const s = await lockLive(this.subjects, m, id);
    if (s.status !== 'restricted') return;
    await this.subjects.updateSubject(m, s.id, { status: 'active', restrictionReason: null, restrictedAt: null });
    await this.audit.append(m, {
      action: 'subject.restriction_lifted',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
    });
  }

  /** Art. 21(2)-(3) for direct marketing (absolute), Art. 21(1) for the named purposes. */
  async setObjection(m: EntityManager, id: string, purposes: string[] | 'direct_marketing'): Promise<void> {
    const s = await lockLive(this.subjects, m, id);
    if (purposes === 'direct_marketing') {
      if (s.objectedDirectMarketingAt) return;
      await this.subjects.updateSubject(m, s.id, { objectedDirectMarketingAt: new Date() });
    } else {
      const next = [...new Set([...s.objectedPurposes, ...purposes])].sort();
      if (next.length === s.objectedPurposes.length) return;
      await this.subjects.updateSubject(m, s.id, { objectedPurposes: next });
    }
    await this.audit.append(m, {
      action: 'subject.objected',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
      data: purposes === 'direct_marketing' ? { directMarketing: true } : { purposes },
    });
  }

  addHold(id: string, input: { reason: string; endsAt?: Date | null }): Promise<string> {
    return this.dataSource.transaction((m) => this.insertHold(m, id, input));
  }

  private async insertHold(
    m: EntityManager,
    id: string,
    input: { reason: string; endsAt?: Date | null },
  ): Promise<string> {
    const s = await lockLive(this.subjects, m, id);
    const key = await this.keys.findKey(s.id, m);
    if (!key) throw new ProblemError('subject_erased', 'This subject has been erased.');
    const holdId = randomUUID();
    const reasonEnc = this.cipher.with(s.id, key.wrappedKey, key.keyVersion, (k) =>
      k.encrypt(holdColumn(holdId), input.reason),
    );
    await this.holds.insertHold(m, {
      id: holdId,
      subjectId: s.id,
      reasonEnc,
      endsAt: input.endsAt ?? null,
      createdBy: actor(),
    });
    // The reason may name a case or a person: it stays encrypted and out of the audit log.
    await this.audit.append(m, {
      action: 'subject.hold_added',
      targetType: 'subject_hold',
      targetId: holdId,
      subjectId: s.id,
      data: { endsAt: input.endsAt?.toISOString() ?? null },
    });
    return holdId;
  }

  releaseHold(id: string, holdId: string): Promise<void> {
    return this.dataSource.transaction((m) => this.release(m, id, holdId));
  }

  private async release(m: EntityManager, id: string, holdId: string): Promise<void> {
    let subject = await this.subjects.lockSubject(m, id);
    if (subject?.mergedInto) subject = await this.subjects.lockSubject(m, subject.mergedInto);
    if (!subject) throw new ProblemError('unknown_subject', 'No subject with this id.');
    const hold = await this.holds.findHold(m, subject.id, holdId);
    if (!hold) throw new ProblemError('unknown_hold', 'No hold with this id on this subject.');
    if (hold.releasedAt) return;
    await this.holds.releaseHold(m, holdId, actor());
    await this.audit.append(m, {
      action: 'subject.hold_released',
      targetType: 'subject_hold',
      targetId: holdId,
      subjectId: subject.id,
    });
  }

  async listHolds(subjectId: string): Promise<DecryptedHold[]> {
    const id = await this.lookup.resolveId(subjectId);
    return id ? this.reader.holds(id) : [];
  }

  async hasActiveHold(subjectId: string): Promise<boolean> {
    const id = await this.lookup.resolveId(subjectId);
    return id ? this.holds.hasActiveHold(id) : false;
  }

  /** Of these (surviving) subject ids, those under an active legal hold; one query. */
  activeHoldIds(ids: string[], m?: EntityManager): Promise<Set<string>> {
    return this.holds.activeHoldIds(ids.filter(isUuid), m);
  }

  /** Retention sweep: a keyset page of live subjects (not erased, not merged away), non-personal columns only. */
  listForRetention(afterId: string | null, limit: number): Promise<RetentionSubjectRow[]> {
    return this.subjects.forRetention(afterId, limit);
  }

  /** The same rows, locked in the caller's transaction: holds, restrictions and merges wait for it. */
  lockForRetention(m: EntityManager, ids: string[]): Promise<RetentionSubjectRow[]> {
    return this.subjects.lockForRetention(m, ids);
  }
}
