import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CLOCK_SKEW_MS } from '../common/clock/skew';
import { ProblemError } from '../common/problem/problem.error';
import type { EmailLocale } from '../notifications';
import { SubjectLifecycleService } from '../subjects';
import { SubjectLookupService } from '../subjects';
import { ConsentEvent } from './consent-event.entity';
import { ConsentText } from './consent-text.entity';
import { ConsentWriter, withdrawalDraft } from './consent-writer.service';
import { ConsentRepository } from './consent.repository';
import { consentRequired, isChild } from './consent-rules';
import { ConsentDecision, ConsentEventKind, EventReason, ExpressedBy, SourceMethod } from './consent.types';
import { DoubleOptInService } from './double-opt-in.service';
import { GrantConsentByIdentifierDto, GrantConsentDto, SubjectRefDto } from './grant-consent.dto';
import { Purpose } from './purpose.entity';

/** A row of an import (issue 14 item 1): its identity, so a second run writes it once. */
export interface ImportedRow {
  key: string;
}
import { PurposesRepository } from './purposes.repository';

interface Target {
  purpose: Purpose;
  text: ConsentText;
}

/** Records decisions from staff, forms and imports. Every way to grant is also a way to withdraw (Art. 7(3)). */
@Injectable()
export class ConsentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purposes: PurposesRepository,
    private readonly subjects: SubjectLookupService,
    private readonly subjectLifecycle: SubjectLifecycleService,
    private readonly writer: ConsentWriter,
    private readonly optIn: DoubleOptInService,
    private readonly repo: ConsentRepository,
  ) {}

  async recordForSubject(pathId: string, dto: GrantConsentDto, gpc: boolean): Promise<ConsentEvent> {
    const subjectId = await this.subjects.resolveId(pathId);
    if (!subjectId) throw new ProblemError('unknown_subject', 'No subject with this id.');
    const target = await this.validate(dto);
    return this.recordForKnown(subjectId, dto, target, gpc);
  }

  /** For web forms and imports: finds the subject by externalId, e-mail or phone, or creates it. */
  async recordByIdentifier(
    dto: GrantConsentByIdentifierDto,
    gpc: boolean,
    imported?: ImportedRow,
  ): Promise<ConsentEvent & { created: boolean }> {
    const ref = dto.subject;
    if (!ref.email && !ref.phone && !ref.externalId) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'subject', message: 'subject needs an email, phone or externalId' }],
      });
    }
    // Validated before anyone is created: a refused request must not leave a subject behind.
    const target = await this.validate(dto);
    const existing = await this.findSubject(ref);
    if (existing) return { ...(await this.recordForKnown(existing, dto, target, gpc, imported)), created: false };

    let subjectId: string;
    let created = true;
    try {
      // Its own transaction: the subject module owns its tables and may take its own locks first.
      subjectId = await this.dataSource.transaction(async (m) => {
        const locale = dto.locale.startsWith('en') ? 'en' : dto.locale.startsWith('pl') ? 'pl' : undefined;
        const row = await this.subjectLifecycle.create(
          {
            email: ref.email,
            phone: ref.phone,
            externalId: ref.externalId,
            ...(locale ? { locale } : {}),
          },
          m,
        );
        return row.id;
      });
    } catch (e) {
      // Created by a concurrent request with the same identifier in the meantime.
      const other = e instanceof ProblemError && e.code === 'subject_exists' ? (e.extras.subjectId as string) : null;
      if (!other) throw e;
      subjectId = other;
      created = false;
    }
    if (!created) return { ...(await this.recordForKnown(subjectId, dto, target, gpc, imported)), created };
    const suppressed = await this.identifiersSuppressed(ref);
    return { ...(await this.capture(subjectId, null, dto, target, gpc, suppressed, false, imported)), created };
  }

  /**
   * LEGAL item 11 / issue 13 item 8: a GPC signal is the person's opt-out of sale, sharing and targeted
   * advertising as a whole, so it also withdraws what they granted earlier for such purposes (every channel),
   * recorded as GPC events; other purposes, e-mail newsletters among them, are untouched. The purpose and
   * channel of the call itself are left to `capture` (refused there). Each withdrawal is its own event under
   * the triple's lock; one whose grant went meanwhile is not written.
   */
  private async withdrawForGpc(
    subjectId: string,
    except: { purpose: string; channel: string },
    via: SourceMethod,
  ): Promise<void> {
    const states = await this.repo.statesForSubject(subjectId);
    for (const state of states) {
      if (state.status !== ConsentDecision.Granted) continue;
      if (state.purposeKey === except.purpose && state.channel === except.channel) continue;
      const purpose = await this.purposes.findByKey(state.purposeKey);
      if (!purpose?.saleOrSharing) continue;
      await this.writer.write(
        withdrawalDraft(subjectId, purpose, state, {
          reason: EventReason.Gpc,
          sourceMethod: via,
          sourceLocation: 'sec-gpc',
          gpc: true,
        }),
        { precondition: (s) => s?.status === ConsentDecision.Granted },
      );
    }
  }

  private async recordForKnown(
    subjectId: string,
    dto: GrantConsentDto,
    target: Target,
    gpc: boolean,
    imported?: ImportedRow,
  ) {
    if (gpc) {
      const except = { purpose: target.purpose.key, channel: dto.channel };
      await this.withdrawForGpc(subjectId, except, dto.source.method as SourceMethod);
    }
    const facts = (await this.subjects.getDecisionFacts([subjectId])).get(subjectId);
    if (!facts) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (facts.status === 'erased') throw new ProblemError('subject_erased', 'This subject has been erased.');
    let suppressed = false;
    if (target.purpose.marketing && dto.decision === ConsentDecision.Granted) {
      const contact = await this.subjects.getContact(subjectId);
      suppressed = !!contact && (await this.identifiersSuppressed({ email: contact.email, phone: contact.phone }));
    }
    return this.capture(
      subjectId,
      facts.minorUntil,
      dto,
      target,
      gpc,
      suppressed,
      facts.objectedToDirectMarketing,
      imported,
    );
  }

  private async capture(
    subjectId: string,
    minorUntil: string | null,
    dto: GrantConsentDto,
    { purpose, text }: Target,
    gpc: boolean,
    suppressed: boolean,
    objected = false,
    imported?: ImportedRow,
  ): Promise<ConsentEvent> {
    const occurredAt = this.occurredAt(dto.occurredAt, text.publishedAt!);
    // The person's age, validity and the rest are judged as of when they expressed it.
    const now = occurredAt ?? new Date();
    let decision = dto.decision as unknown as ConsentEventKind;
    let reason: EventReason | null = null;
    const expressedBy = dto.expressedBy ?? ExpressedBy.Subject;
    // LEGAL item 11: GPC refuses sale, sharing and targeted advertising; other purposes are untouched.
    if (decision === ConsentEventKind.Granted && gpc && purpose.saleOrSharing) {
      decision = ConsentEventKind.Refused;
      reason = EventReason.Gpc;
    }
    const granted = decision === ConsentEventKind.Granted;
    // Art. 8: below 16 only the holder of parental responsibility can consent. Refusing and withdrawing
    // stay open to the child.
    if (
      granted &&
      consentRequired(purpose, dto.channel) &&
      isChild(minorUntil, now) &&
      expressedBy !== ExpressedBy.Guardian
    ) {
      throw new ProblemError('guardian_required', 'This subject is under 16: a guardian must give this consent.');
    }
    // Issue 13 item 6: after an objection to direct marketing or an erasure (suppression), a marketing grant
    // counts only once the person confirms it themselves, whatever the purpose's own double opt-in setting.
    const pending = granted && (purpose.doubleOptIn || (purpose.marketing && (objected || suppressed)));
    // Looked up before the write so no extra round trip happens while the write holds its locks.
    // An imported pending grant is recorded as it stood, unconfirmed: nobody is e-mailed from an import.
    const mailLocale = pending && !imported ? await this.confirmationLocale(subjectId, text.locale) : null;
    const event = await this.writer.write(
      {
        subjectId,
        purpose,
        channel: dto.channel,
        decision,
        reason: reason ?? (pending ? EventReason.DoubleOptIn : null),
        version: text.version,
        locale: text.locale,
        textSha256: text.sha256!,
        pending,
        confirmsEventId: null,
        expiresAt: granted ? this.requestedExpiry(dto.expiresAt, now) : null,
        validityDays: granted ? purpose.validityDays : null,
        ...(occurredAt ? { occurredAt } : {}),
        ...(imported ? { importKey: imported.key } : {}),
        sourceMethod: dto.source.method,
        sourceLocation: dto.source.location ?? null,
        sourceStaffId: dto.source.staffId ?? null,
        expressedBy,
        gpc,
        suppressed: granted && purpose.marketing && suppressed,
        // The guardian's identity (Art. 8) is personal data: sealed with the evidence, never in the event or audit.
        evidence:
          dto.evidence || dto.guardian
            ? { ...(dto.evidence ?? {}), ...(dto.guardian ? { guardian: { ...dto.guardian } } : {}) }
            : null,
      },
      mailLocale
        ? { after: (m: EntityManager, e: ConsentEvent) => this.optIn.requestConfirmation(m, e, purpose, mailLocale) }
        : {},
    );
    return event!;
  }

  private async validate(dto: GrantConsentDto): Promise<Target> {
    const purpose = await this.purposes.findByKey(dto.purpose);
    if (!purpose) throw new ProblemError('unknown_purpose', 'No purpose with this key.', { purpose: dto.purpose });
    if (!purpose.channels.includes(dto.channel)) {
      throw new ProblemError('channel_not_offered', 'The purpose does not offer this channel.', {
        channels: purpose.channels,
      });
    }
    const text = await this.purposes.findText(purpose.key, dto.version, dto.locale);
    if (text?.publishedAt && text.sha256) return { purpose, text };
    if (await this.purposes.hasPublishedVersion(this.dataSource.manager, purpose.key, dto.version)) {
      throw new ProblemError('locale_not_available', 'This version has no text in this locale.');
    }
    throw new ProblemError('unpublished_version', 'Consent can only be given to a published text version.', {
      currentVersion: purpose.currentVersion,
    });
  }

  /**
   * Issue 14: a decision expressed before it is recorded keeps its time. It cannot lie ahead (beyond clock skew)
   * nor before the text it was made on existed.
   */
  private occurredAt(asked: string | undefined, publishedAt: Date): Date | null {
    if (!asked) return null;
    const at = new Date(asked);
    const refuse = (message: string) =>
      new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'occurredAt', message }],
      });
    if (at.getTime() > Date.now() + CLOCK_SKEW_MS) throw refuse('occurredAt may not lie in the future');
    if (at < publishedAt) throw refuse('occurredAt is before this text version was published');
    return at;
  }

  /** An explicit end of validity must lie ahead; the purpose's validityDays is applied at recording. */
  private requestedExpiry(asked: string | undefined, now: Date): Date | null {
    if (!asked) return null;
    const at = new Date(asked);
    if (at.getTime() <= now.getTime()) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'expiresAt', message: 'expiresAt must be in the future' }],
      });
    }
    return at;
  }

  /**
   * The language of the text agreed to, else the subject's. Null when there is no e-mail address to
   * confirm by: the grant then stays pending (and says no) until confirmed some other way.
   */
  private async confirmationLocale(subjectId: string, textLocale: string): Promise<EmailLocale | null> {
    const contact = await this.subjects.getContact(subjectId);
    if (!contact?.email) return null;
    if (textLocale.startsWith('en')) return 'en';
    if (textLocale.startsWith('pl')) return 'pl';
    return contact.locale === 'en' ? 'en' : 'pl';
  }

  private async findSubject(ref: SubjectRefDto): Promise<string | null> {
    if (ref.externalId) {
      const id = await this.subjects.findIdByIdentifier('external_id', ref.externalId);
      if (id) return id;
    }
    if (ref.email) {
      const id = await this.subjects.findIdByIdentifier('email', ref.email);
      if (id) return id;
    }
    if (ref.phone) return this.subjects.findIdByIdentifier('phone', ref.phone);
    return null;
  }

  /** LEGAL item 7: a contact that was erased or objected stays suppressed when it comes back in an import. */
  private async identifiersSuppressed(ref: { email?: string; phone?: string; externalId?: string }): Promise<boolean> {
    const checks: Promise<boolean>[] = [];
    if (ref.email) checks.push(this.subjects.isSuppressed('email', ref.email));
    if (ref.phone) checks.push(this.subjects.isSuppressed('phone', ref.phone));
    if (ref.externalId) checks.push(this.subjects.isSuppressed('external_id', ref.externalId));
    return (await Promise.all(checks)).some(Boolean);
  }
}
