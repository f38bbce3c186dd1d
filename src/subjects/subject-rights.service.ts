import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { requestContext } from '../common/context/request-context';
import { ProblemError } from '../common/problem/problem.error';
import { holdColumn, SubjectCipher } from './subject-cipher';
import { Subject } from './subject.entity';
import { SubjectsRepository } from './subjects.repository';

const actor = () => {
  const p = requestContext.get()?.principal;
  return p ? `${p.kind}:${p.id}` : 'system:zgoda';
};

/** Restriction (Art. 18), objection (Art. 21) and legal holds: the states that limit what may be done. */
@Injectable()
export class SubjectRights {
  constructor(
    private readonly repo: SubjectsRepository,
    private readonly cipher: SubjectCipher,
    private readonly audit: AuditService,
  ) {}

  /** Locks the subject (following a merge) and refuses an erased one. */
  async lockLive(m: EntityManager, id: string): Promise<Subject> {
    let subject = await this.repo.lockSubject(m, id);
    if (subject?.mergedInto) subject = await this.repo.lockSubject(m, subject.mergedInto);
    if (!subject) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (subject.status === 'erased') throw new ProblemError('subject_erased', 'This subject has been erased.');
    return subject;
  }

  /** Art. 18: the data may then only be stored. Restricting again updates the ground. */
  async restrict(m: EntityManager, id: string, reason: string): Promise<void> {
    const s = await this.lockLive(m, id);
    if (s.status === 'restricted' && s.restrictionReason === reason) return;
    await this.repo.updateSubject(m, s.id, {
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
  async liftRestriction(m: EntityManager, id: string): Promise<void> {
    const s = await this.lockLive(m, id);
    if (s.status !== 'restricted') return;
    await this.repo.updateSubject(m, s.id, { status: 'active', restrictionReason: null, restrictedAt: null });
    await this.audit.append(m, {
      action: 'subject.restriction_lifted',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
    });
  }

  /** Art. 21(2)-(3) for direct marketing (absolute), Art. 21(1) for the named purposes. */
  async setObjection(m: EntityManager, id: string, purposes: string[] | 'direct_marketing'): Promise<void> {
    const s = await this.lockLive(m, id);
    if (purposes === 'direct_marketing') {
      if (s.objectedDirectMarketingAt) return;
      await this.repo.updateSubject(m, s.id, { objectedDirectMarketingAt: new Date() });
    } else {
      const next = [...new Set([...s.objectedPurposes, ...purposes])].sort();
      if (next.length === s.objectedPurposes.length) return;
      await this.repo.updateSubject(m, s.id, { objectedPurposes: next });
    }
    await this.audit.append(m, {
      action: 'subject.objected',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
      data: purposes === 'direct_marketing' ? { directMarketing: true } : { purposes },
    });
  }

  async addHold(m: EntityManager, id: string, input: { reason: string; endsAt?: Date | null }): Promise<string> {
    const s = await this.lockLive(m, id);
    const key = await this.repo.findKey(s.id, m);
    if (!key) throw new ProblemError('subject_erased', 'This subject has been erased.');
    const holdId = randomUUID();
    const reasonEnc = this.cipher.with(s.id, key.wrappedKey, key.keyVersion, (k) =>
      k.encrypt(holdColumn(holdId), input.reason),
    );
    await this.repo.insertHold(m, {
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

  async releaseHold(m: EntityManager, id: string, holdId: string): Promise<void> {
    let subject = await this.repo.lockSubject(m, id);
    if (subject?.mergedInto) subject = await this.repo.lockSubject(m, subject.mergedInto);
    if (!subject) throw new ProblemError('unknown_subject', 'No subject with this id.');
    const hold = await this.repo.findHold(m, subject.id, holdId);
    if (!hold) throw new ProblemError('unknown_hold', 'No hold with this id on this subject.');
    if (hold.releasedAt) return;
    await this.repo.releaseHold(m, holdId, actor());
    await this.audit.append(m, {
      action: 'subject.hold_released',
      targetType: 'subject_hold',
      targetId: holdId,
      subjectId: subject.id,
    });
  }
}
