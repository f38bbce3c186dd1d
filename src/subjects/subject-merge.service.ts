import { SubjectEntriesRepository } from './subject-entries.repository';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { holdColumn, identifierColumn, ProfileColumn, SubjectCipher, SubjectKeyHandle } from './subject-cipher';
import { SubjectHoldsRepository } from './subject-holds.repository';
import { SubjectHooks } from './subject-hooks';
import { SubjectIdentifier } from './subject-identifier.entity';
import { SubjectIdentifiersRepository } from './subject-identifiers.repository';
import { SubjectKeysRepository } from './subject-keys.repository';
import { Subject } from './subject.entity';
import { SubjectsRepository } from './subjects.repository';

const PROFILE: [ProfileColumn, 'firstNameEnc' | 'lastNameEnc' | 'birthDateEnc' | 'localeEnc'][] = [
  ['first_name', 'firstNameEnc'],
  ['last_name', 'lastNameEnc'],
  ['birth_date', 'birthDateEnc'],
  ['locale', 'localeEnc'],
];

const earliest = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));

/**
 * Links two records found to be one person. Everything moves to the survivor, re-encrypted under its
 * key; the other record keeps only its id and `merged_into`, so old ids held by other systems (and in
 * the append-only audit log) still lead to the person, and its own key is destroyed.
 */
@Injectable()
export class SubjectMerger {
  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly identifiers: SubjectIdentifiersRepository,
    private readonly keys: SubjectKeysRepository,
    private readonly holds: SubjectHoldsRepository,
    private readonly cipher: SubjectCipher,
    private readonly audit: AuditService,
    private readonly hooks: SubjectHooks,
    private readonly entries: SubjectEntriesRepository,
  ) {}

  async merge(m: EntityManager, survivorId: string, mergedId: string): Promise<void> {
    if (survivorId === mergedId) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'mergedId', message: 'mergedId must differ from the surviving subject' }],
      });
    }
    const locked = await this.subjects.lockSubjects(m, [survivorId, mergedId]);
    const survivor = locked.get(survivorId);
    const merged = locked.get(mergedId);
    if (!survivor || !merged) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (merged.mergedInto === survivorId) return; // a retried merge
    if (survivor.mergedInto || merged.mergedInto) {
      throw new ProblemError('conflict', 'One of these subjects was already merged into another one.', {
        subjectId: survivor.mergedInto ?? merged.mergedInto,
      });
    }
    if (survivor.status === 'erased' || merged.status === 'erased') {
      throw new ProblemError('subject_erased', 'An erased subject cannot be merged.');
    }
    const [survivorKey, mergedKey] = await Promise.all([
      this.keys.findKey(survivorId, m),
      this.keys.findKey(mergedId, m),
    ]);
    if (!survivorKey || !mergedKey) throw new ProblemError('subject_erased', 'An erased subject cannot be merged.');

    const to = this.cipher.open(survivorId, survivorKey.wrappedKey, survivorKey.keyVersion);
    const from = this.cipher.open(mergedId, mergedKey.wrappedKey, mergedKey.keyVersion);
    let moved: { identifiers: number; holds: number };
    try {
      moved = {
        identifiers: await this.moveIdentifiers(m, from, to),
        holds: await this.moveHolds(m, from, to),
      };
      await this.subjects.updateSubject(m, survivorId, this.combined(survivor, merged, from, to));
    } finally {
      to.close();
      from.close();
    }
    await this.subjects.updateSubject(m, mergedId, {
      mergedInto: survivorId,
      mergedAt: new Date(),
      firstNameEnc: null,
      lastNameEnc: null,
      birthDateEnc: null,
      localeEnc: null,
      minorUntil: null,
      restrictionReason: null,
      restrictedAt: null,
    });
    await this.keys.deleteKey(m, mergedId);
    await this.subjects.repointMerged(m, mergedId, survivorId);
    await this.entries.moveEntries(m, mergedId, survivorId);
    const followed = await this.hooks.runMerged(m, { survivorId, mergedId });
    // An objection to direct marketing on either record binds the merged person: every marketing grant now on
    // the survivor ends, as if they had objected again. A grant folded in from the record that had not objected
    // would otherwise outweigh the objection; a re-opt-in given after an objection is lost too, and the person
    // can give it again (never contacting wrongly is the side to err on).
    if (survivor.objectedDirectMarketingAt || merged.objectedDirectMarketingAt) {
      await this.hooks.runObjectedToDirectMarketing(m, { subjectId: survivorId });
    }
    await this.audit.append(m, {
      action: 'subject.merged',
      targetType: 'subject',
      targetId: mergedId,
      subjectId: survivorId,
      data: { survivorId, mergedId, ...moved, followedBy: followed },
    });
  }

  private async moveIdentifiers(m: EntityManager, from: SubjectKeyHandle, to: SubjectKeyHandle): Promise<number> {
    const [mine, theirs] = await Promise.all([
      this.identifiers.identifiersOf(to.subjectId, m),
      this.identifiers.identifiersOf(from.subjectId, m),
    ]);
    const slot = (i: SubjectIdentifier) => `${i.kind}/${i.systemKey}`;
    const taken = new Set(mine.filter((i) => i.isPrimary).map(slot));
    for (const i of theirs) {
      const value = from.decrypt(identifierColumn(i.id), i.valueEnc);
      await this.identifiers.moveIdentifier(m, i.id, {
        subjectId: to.subjectId,
        valueEnc: to.encrypt(identifierColumn(i.id), value),
        // The survivor's own identifier stays the one used for contact.
        isPrimary: i.isPrimary && !taken.has(slot(i)),
      });
    }
    return theirs.length;
  }

  private async moveHolds(m: EntityManager, from: SubjectKeyHandle, to: SubjectKeyHandle): Promise<number> {
    const holds = await this.holds.moveHolds(m, from.subjectId, to.subjectId);
    for (const h of holds) {
      const reason = from.decryptOrNull(holdColumn(h.id), h.reasonEnc);
      await this.holds.updateHoldReason(m, h.id, reason === null ? null : to.encrypt(holdColumn(h.id), reason));
    }
    return holds.length;
  }

  /**
   * The survivor keeps its own values and takes the other record's where it has none. Rights the
   * person exercised on either record survive: a restriction (Art. 18) and objections (Art. 21).
   */
  private combined(survivor: Subject, merged: Subject, from: SubjectKeyHandle, to: SubjectKeyHandle): Partial<Subject> {
    const out: Partial<Subject> = {};
    for (const [column, property] of PROFILE) {
      const theirs = merged[property];
      if (survivor[property] || !theirs) continue;
      out[property] = to.encrypt(column, from.decrypt(column, theirs));
      if (column === 'birth_date') out.minorUntil = merged.minorUntil;
    }
    if (survivor.status !== 'restricted' && merged.status === 'restricted') {
      out.status = 'restricted';
      out.restrictionReason = merged.restrictionReason;
      out.restrictedAt = merged.restrictedAt;
    }
    out.objectedDirectMarketingAt = earliest(survivor.objectedDirectMarketingAt, merged.objectedDirectMarketingAt);
    out.objectedPurposes = [...new Set([...survivor.objectedPurposes, ...merged.objectedPurposes])].sort();
    if (merged.lastActivityAt > survivor.lastActivityAt) out.lastActivityAt = merged.lastActivityAt;
    if (merged.createdAt < survivor.createdAt) out.createdAt = merged.createdAt;
    return out;
  }
}
