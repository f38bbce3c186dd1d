import { CLOCK_SKEW_MS } from '../common/clock/skew';
import { SubjectEntriesRepository } from './subject-entries.repository';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { requestContext } from '../common/context/request-context';
import { ProblemError } from '../common/problem/problem.error';
import type { ToldOffline } from '../common/validation/told-by';
import { NotificationsService } from '../notifications';
import { holdColumn, SubjectCipher } from './subject-cipher';
import { SubjectHoldsRepository } from './subject-holds.repository';
import { SubjectHooks } from './subject-hooks';
import { SubjectKeysRepository } from './subject-keys.repository';
import { isUuid, SubjectLookupService } from './subject-lookup.service';
import { DecryptedHold, isHoldActive, SubjectReader } from './subject-reader.service';
import type { ActiveHold, NewHold } from './hold-rules';
import { Subject } from './subject.entity';
import { RetentionSubjectRow, SubjectsRepository } from './subjects.repository';

export type { DecryptedHold } from './subject-reader.service';
export type { RetentionSubjectRow } from './subjects.repository';

/** The e-mail template of the Art. 18(3) notice (src/subjects/templates/email/restriction-lifted). */
const RESTRICTION_NOTICE = 'restriction-lifted';

/** A date a data system reported for a subject (subject_entries). */
export interface ReportedEntry {
  kind: string;
  system: string | null;
  at: Date;
}

export type LiftOutcome = { state: 'not_restricted' } | { state: 'lifted' } | { state: 'pending'; noticeId: string };

const toldAtRefused = (message: string) =>
  new ProblemError('validation_failed', 'The request is not valid.', { errors: [{ field: 'toldAt', message }] });

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
export class SubjectRightsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
    private readonly keys: SubjectKeysRepository,
    private readonly holds: SubjectHoldsRepository,
    private readonly cipher: SubjectCipher,
    private readonly reader: SubjectReader,
    private readonly lookup: SubjectLookupService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly hooks: SubjectHooks,
    private readonly entries: SubjectEntriesRepository,
  ) {}

  /** Art. 18: the data may then only be stored. Restricting again updates the ground. */
  async restrict(id: string, reason: string, m?: EntityManager): Promise<void> {
    if (!m) return this.dataSource.transaction((t) => this.restrict(id, reason, t));
    const s = await lockLive(this.subjects, m, id);
    if (s.status === 'restricted' && s.restrictionReason === reason && !s.restrictionLiftNoticeId) return;
    // Restricting again (a new ground, or while a lifting notice is on its way) keeps the restriction: the
    // notice, if it is still sent, no longer lifts anything.
    await this.subjects.updateSubject(m, s.id, {
      status: 'restricted',
      restrictionReason: reason,
      restrictedAt: s.restrictedAt ?? new Date(),
      restrictionLiftNoticeId: null,
      restrictionLiftRequestedAt: null,
    });
    await this.hooks.runChanged(m, { subjectId: s.id, change: 'restriction_placed' });
    await this.audit.append(m, {
      action: 'subject.restricted',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
      reason,
    });
  }

  onModuleInit(): void {
    this.notifications.onSent(RESTRICTION_NOTICE, (m, e) => this.liftAfterNotice(m, e.emailId, e.subjectId));
  }

  /**
   * Art. 18(3): "shall be informed by the controller before the restriction of processing is lifted". With an
   * e-mail address the notice is queued and the restriction ends when it is sent (`pending`, with the
   * notice's id); a repeated call while it is on its way answers the same notice, and one after it failed
   * queues a new one. Without an address staff say how the subject was told (`told`), and it ends now;
   * otherwise 409 restriction_notice_required and nothing changes.
   */
  async liftRestriction(id: string, told?: { by: ToldOffline; at: Date }): Promise<LiftOutcome> {
    return this.dataSource.transaction(async (m) => {
      const s = await lockLive(this.subjects, m, id);
      if (s.status !== 'restricted') return { state: 'not_restricted' };
      if (told) {
        if (told.at.getTime() > Date.now() + CLOCK_SKEW_MS) throw toldAtRefused('toldAt may not lie in the future');
        if (s.restrictedAt && told.at < s.restrictedAt)
          throw toldAtRefused('toldAt may not be before the restriction began');
        await this.lift(m, s, { toldBy: told.by, toldAt: told.at.toISOString() });
        return { state: 'lifted' };
      }
      if (s.restrictionLiftNoticeId) {
        const delivery = await this.notifications.delivery(s.restrictionLiftNoticeId, m);
        if (delivery !== 'failed') return { state: 'pending', noticeId: s.restrictionLiftNoticeId };
      }
      // On this transaction's connection: it holds the subject's lock, and must not wait for a second one.
      const contact = await this.reader.contactIn(m, s);
      if (!contact?.email) {
        throw new ProblemError(
          'restriction_notice_required',
          'Zgoda has no e-mail address for this subject; tell them another way and record it (toldBy, toldAt).',
        );
      }
      // No address in the e-mail row: it is looked up when sending, so a corrected address is honoured.
      const noticeId = await this.notifications.queueEmail(m, {
        subjectId: s.id,
        template: RESTRICTION_NOTICE,
        locale: contact.locale === 'en' ? 'en' : 'pl',
        model: { restrictedSince: s.restrictedAt?.toISOString() ?? null },
      });
      await this.subjects.updateSubject(m, s.id, {
        restrictionLiftNoticeId: noticeId,
        restrictionLiftRequestedAt: new Date(),
      });
      await this.audit.append(m, {
        action: 'subject.restriction_lift_requested',
        targetType: 'subject',
        targetId: s.id,
        subjectId: s.id,
        data: { noticeId },
      });
      return { state: 'pending', noticeId };
    });
  }

  /**
   * The notice went out: the restriction ends in the same transaction. Idempotent (a re-sent notice finds
   * it lifted), and a no-op when the subject was restricted again, erased or merged since: that notice no
   * longer speaks for the current restriction.
   */
  private async liftAfterNotice(m: EntityManager, noticeId: string, subjectId: string | null): Promise<void> {
    if (!subjectId) return;
    const s = await this.subjects.lockSubject(m, subjectId);
    if (!s || s.status !== 'restricted' || s.restrictionLiftNoticeId !== noticeId) return;
    await this.lift(m, s, { noticeId, toldBy: 'email' });
  }

  private async lift(m: EntityManager, s: Subject, told: Record<string, string>): Promise<void> {
    await this.subjects.updateSubject(m, s.id, {
      status: 'active',
      restrictionReason: null,
      restrictedAt: null,
      restrictionLiftNoticeId: null,
      restrictionLiftRequestedAt: null,
    });
    await this.hooks.runChanged(m, { subjectId: s.id, change: 'restriction_lifted' });
    await this.audit.append(m, {
      action: 'subject.restriction_lifted',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
      data: told,
    });
  }

  /** Art. 21(2)-(3) for direct marketing (absolute), Art. 21(1) for the named purposes. */
  async setObjection(m: EntityManager, id: string, purposes: string[] | 'direct_marketing'): Promise<void> {
    const s = await lockLive(this.subjects, m, id);
    if (purposes === 'direct_marketing') {
      if (s.objectedDirectMarketingAt) return;
      await this.subjects.updateSubject(m, s.id, { objectedDirectMarketingAt: new Date() });
      // Consents to marketing end with it, in this transaction (so only a later, confirmed opt-in counts).
      await this.hooks.runObjectedToDirectMarketing(m, { subjectId: s.id });
    } else {
      const next = [...new Set([...s.objectedPurposes, ...purposes])].sort();
      if (next.length === s.objectedPurposes.length) return;
      await this.subjects.updateSubject(m, s.id, { objectedPurposes: next });
    }
    const named = purposes === 'direct_marketing' ? {} : { purposes };
    await this.hooks.runChanged(m, { subjectId: s.id, change: 'objection', ...named });
    await this.audit.append(m, {
      action: 'subject.objected',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
      data: purposes === 'direct_marketing' ? { directMarketing: true } : { purposes },
    });
  }

  /**
   * Art. 21(1): the controller demonstrated compelling legitimate grounds for these purposes, so processing
   * for them resumes. Only the controller's recorded assessment calls this (the requests module).
   */
  async overruleObjection(m: EntityManager, id: string, purposes: string[], requestId: string): Promise<void> {
    const s = await lockLive(this.subjects, m, id);
    const next = s.objectedPurposes.filter((p) => !purposes.includes(p));
    if (next.length === s.objectedPurposes.length) return;
    await this.subjects.updateSubject(m, s.id, { objectedPurposes: next });
    await this.hooks.runChanged(m, { subjectId: s.id, change: 'objection_overruled', purposes });
    await this.audit.append(m, {
      action: 'subject.objection_overruled',
      targetType: 'subject',
      targetId: s.id,
      subjectId: s.id,
      data: { purposes: s.objectedPurposes.filter((p) => purposes.includes(p)), requestId },
    });
  }

  addHold(id: string, input: NewHold): Promise<string> {
    return this.dataSource.transaction((m) => this.insertHold(m, id, input));
  }

  private async insertHold(m: EntityManager, id: string, input: NewHold): Promise<string> {
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
      legalBasis: input.legalBasis,
      categories: [...input.categories].sort(),
      endsAt: input.endsAt ?? null,
      createdBy: actor(),
    });
    // The reason may name a case or a person: it stays encrypted and out of the audit log.
    await this.audit.append(m, {
      action: 'subject.hold_added',
      targetType: 'subject_hold',
      targetId: holdId,
      subjectId: s.id,
      data: { endsAt: input.endsAt?.toISOString() ?? null, legalBasis: input.legalBasis, categories: input.categories },
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

  /** The holds in force now, without their reasons: what an erasure must keep (Art. 17(3)). */
  async activeHolds(subjectId: string, m?: EntityManager): Promise<ActiveHold[]> {
    const id = await this.lookup.resolveId(subjectId);
    const holds = id ? (await this.holds.holdsOf(id, m)).filter((h) => isHoldActive(h)) : [];
    return holds.map((h) => ({ legalBasis: h.legalBasis, categories: h.categories, endsAt: h.endsAt }));
  }

  /** Of these (surviving) subject ids, those under an active legal hold; one query. */
  activeHoldIds(ids: string[], m?: EntityManager): Promise<Set<string>> {
    return this.holds.activeHoldIds(ids.filter(isUuid), m);
  }

  /** Retention: every entry date systems reported for these subjects, by subject. */
  async entriesFor(ids: string[]): Promise<Map<string, ReportedEntry[]>> {
    const out = new Map<string, ReportedEntry[]>();
    for (const r of await this.entries.entriesOf(ids.filter(isUuid))) {
      const list = out.get(r.subject_id) ?? [];
      list.push({ kind: r.kind, system: r.system_key || null, at: r.last_at });
      out.set(r.subject_id, list);
    }
    return out;
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
