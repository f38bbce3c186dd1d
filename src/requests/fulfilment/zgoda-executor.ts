import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProblemError } from '../../common/problem/problem.error';
import { ConsentQueryService } from '../../consent';
import { SubjectLifecycleService, UpdateSubjectInput } from '../../subjects';
import { SubjectLookupService } from '../../subjects';
import { keptUntil, SubjectRightsService } from '../../subjects';
import { RequestDetails } from '../request-vault.service';
import { DsrRequest } from '../request.entity';
import { RequestsRepository } from '../requests.repository';
import { TaskOutcome } from './task-outcome';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
/** Rectifiable through a request: what PATCH /v1/subjects/{id} accepts. */
export const RECTIFIABLE_FIELDS = ['email', 'phone', 'externalId', 'firstName', 'lastName', 'birthDate', 'locale'];

/**
 * Zgoda's own part of a request: the `zgoda` internal system of the registry (its consent records,
 * contact data and request history). Changes run in the task's transaction, so the change and "task
 * done" commit together and a re-delivered job finds the task done.
 */
@Injectable()
export class ZgodaExecutor {
  constructor(
    private readonly subjects: SubjectLookupService,
    private readonly subjectLifecycle: SubjectLifecycleService,
    private readonly subjectRights: SubjectRightsService,
    private readonly consent: ConsentQueryService,
    private readonly repo: RequestsRepository,
  ) {}

  /** Art. 15 / 20: everything Zgoda holds about the subject, by category (one CSV each in the package). */
  async accessCopy(subjectId: string): Promise<Record<string, unknown[]>> {
    const p = await this.subjects.getProfile(subjectId);
    if (!p || p.status === 'erased') return {};
    const history = await this.consent.historyWithTexts(p.id);
    const requests = await this.repo.list({ subjectId: p.id, limit: 500 });
    // Each decision's signed receipt (issue 13 item 9); the package also carries them as files.
    const receipts = history
      .filter((e) => e.receipt)
      .map((e) => ({ consentId: e.id, purpose: e.purpose, channel: e.channel, receipt: e.receipt }));
    return {
      identifiers: p.identifiers.map((i) => ({ kind: i.kind, value: i.value, system: i.system, primary: i.primary })),
      profile: [
        {
          firstName: p.firstName,
          lastName: p.lastName,
          birthDate: p.birthDate,
          locale: p.locale,
          status: p.status,
          createdAt: iso(p.createdAt),
          lastActivityAt: iso(p.lastActivityAt),
          restrictedSince: iso(p.restriction?.since),
          objectedToDirectMarketingSince: iso(p.objections.directMarketingSince),
          objectedPurposes: p.objections.purposes.join(' '),
        },
      ],
      consent_history: history.map((e) => ({
        id: e.id,
        purpose: e.purpose,
        channel: e.channel,
        decision: e.decision,
        reason: e.reason,
        version: e.version,
        locale: e.locale,
        textSha256: e.sha256,
        title: e.title,
        text: e.text,
        recordedAt: e.recordedAt,
        expiresAt: e.expiresAt,
        sourceMethod: e.source.method,
        sourceLocation: e.source.location,
        expressedBy: e.expressedBy,
        gpc: e.gpc,
      })),
      ...(receipts.length ? { consent_receipts: receipts } : {}),
      requests: requests.map((r) => ({
        id: r.id,
        type: r.type,
        status: r.status,
        receivedAt: r.receivedAt.toISOString(),
        completedAt: iso(r.completedAt),
      })),
    };
  }

  /**
   * Art. 20: only what the person provided, processed on consent or a contract, by automated means: the
   * identifiers and profile they gave, and their own consent decisions. Not Zgoda's observations about them
   * (status, restriction, objection times) nor its records of handling their requests (LEGAL item 18).
   */
  async portabilityCopy(subjectId: string): Promise<Record<string, unknown[]>> {
    const copy = await this.accessCopy(subjectId);
    if (!copy.profile) return {};
    const [profile] = copy.profile as Record<string, unknown>[];
    return {
      identifiers: copy.identifiers,
      profile: [
        {
          firstName: profile.firstName,
          lastName: profile.lastName,
          birthDate: profile.birthDate,
          locale: profile.locale,
        },
      ],
      consent_history: (copy.consent_history as Record<string, unknown>[]).map((e) => ({
        purpose: e.purpose,
        channel: e.channel,
        decision: e.decision,
        version: e.version,
        locale: e.locale,
        textSha256: e.textSha256,
        recordedAt: e.recordedAt,
        expiresAt: e.expiresAt,
      })),
    };
  }

  /** Rectification runs in the subjects module's own transaction; repeating it changes nothing. */
  async rectify(subjectId: string, details: RequestDetails | null): Promise<TaskOutcome> {
    const changes = Object.fromEntries(
      Object.entries(details?.changes ?? {}).filter(([k]) => RECTIFIABLE_FIELDS.includes(k)),
    ) as UpdateSubjectInput;
    try {
      const { changed } = await this.subjectLifecycle.update(subjectId, changes);
      return { status: 'done', data: { changedFields: [{ fields: changed.join(' ') }] } };
    } catch (e) {
      if (e instanceof ProblemError && e.code === 'subject_erased') return { status: 'done', reason: 'subject_erased' };
      // e.g. the new e-mail belongs to someone else: a person has to look at it.
      if (e instanceof ProblemError && e.status < 500) return { status: 'failed', reason: e.code };
      throw e;
    }
  }

  /**
   * Art. 17 in Zgoda itself. Under an active legal hold (Art. 17(3)(b), (e)) Zgoda's record is restricted,
   * not deleted: it keeps the held categories and is the index through which the follow-up erasure reaches
   * the systems once the hold ends. The task says what was kept and until when (LEGAL item 19).
   */
  async erase(m: EntityManager, r: DsrRequest): Promise<TaskOutcome> {
    const holds = await this.subjectRights.activeHolds(r.subjectId!, m);
    if (!holds.length) {
      try {
        await this.subjectLifecycle.erase(r.subjectId!, `request:${r.id}`, m);
        return { status: 'done' };
      } catch (e) {
        // A hold added since we looked: fall through to restriction.
        if (!(e instanceof ProblemError && e.code === 'subject_on_hold')) throw e;
      }
    }
    await this.subjectRights.restrict(r.subjectId!, `request:${r.id}`, m);
    // Until the last hold ends: only then can the follow-up erase what the others kept.
    const until = keptUntil(holds.map((h) => ({ until: h.endsAt })));
    return { status: 'retained', reason: 'legal_hold', retainedUntil: until };
  }

  async restrict(m: EntityManager, r: DsrRequest): Promise<TaskOutcome> {
    return this.tolerateErased(() => this.subjectRights.restrict(r.subjectId!, `request:${r.id}`, m));
  }

  async object(m: EntityManager, r: DsrRequest, details: RequestDetails | null): Promise<TaskOutcome> {
    const purposes = namedPurposes(details);
    return this.tolerateErased(async () => {
      if (isDirectMarketingObjection(details))
        await this.subjectRights.setObjection(m, r.subjectId!, 'direct_marketing');
      if (purposes.length) await this.subjectRights.setObjection(m, r.subjectId!, purposes);
    });
  }

  private async tolerateErased(fn: () => Promise<void>): Promise<TaskOutcome> {
    try {
      await fn();
      return { status: 'done' };
    } catch (e) {
      if (e instanceof ProblemError && e.code === 'subject_erased') return { status: 'done', reason: 'subject_erased' };
      throw e;
    }
  }
}

/** Art. 21(1): the purposes an objection names, other than direct marketing. */
export function namedPurposes(details: RequestDetails | null): string[] {
  return details?.purposes?.filter((p) => p !== 'direct_marketing') ?? [];
}

/** Art. 21(2)-(3): no purposes named, or `direct_marketing` among them. */
export function isDirectMarketingObjection(details: RequestDetails | null): boolean {
  const purposes = details?.purposes ?? [];
  return purposes.length === 0 || purposes.includes('direct_marketing');
}
