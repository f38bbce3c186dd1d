import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ProblemError } from '../common/problem/problem.error';
import type { EmailLocale } from '../rendering';
import { SubjectLifecycleService } from '../subjects';
import { SubjectLookupService } from '../subjects';
import { draftFor, Target } from './consent-draft';
import { ConsentEvent } from './consent-event.entity';
import { withdrawalDraft } from './consent-draft';
import { ConsentWriter } from './consent-writer.service';
import { ConsentRepository } from './consent.repository';
import { ConsentDecision, EventReason, SourceMethod } from './consent.types';
import { DoubleOptInService } from './double-opt-in.service';
import { GrantConsentByIdentifierDto, GrantConsentDto } from './grant-consent.dto';
import { PurposesRepository } from './purposes.repository';
import { ReceiptsService } from './receipts.service';
import { ConsentText } from './consent-text.entity';

/** Records decisions from staff, forms and imports. Every way to grant is also a way to withdraw (Art. 7(3)). */
@Injectable()
export class ConsentsService {
  private readonly publishedTexts = new Map<string, ConsentText>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly purposes: PurposesRepository,
    private readonly subjects: SubjectLookupService,
    private readonly subjectLifecycle: SubjectLifecycleService,
    private readonly writer: ConsentWriter,
    private readonly optIn: DoubleOptInService,
    private readonly repo: ConsentRepository,
    private readonly receipts: ReceiptsService,
  ) {}

  async recordForSubject(pathId: string, dto: GrantConsentDto, gpc: boolean): Promise<ConsentEvent> {
    const subjectId = await this.subjects.resolveId(pathId);
    if (!subjectId) throw new ProblemError('unknown_subject', 'No subject with this id.');
    const target = await this.validate(dto);
    return this.recordForKnown(subjectId, dto, target, gpc);
  }

  /** For web forms: finds the subject by externalId, e-mail or phone, or creates it (imports: ImportRunner). */
  async recordByIdentifier(
    dto: GrantConsentByIdentifierDto,
    gpc: boolean,
  ): Promise<ConsentEvent & { created: boolean }> {
    const ref = dto.subject;
    if (!ref.email && !ref.phone && !ref.externalId) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'subject', message: 'subject needs an email, phone or externalId' }],
      });
    }
    // Validated before anyone is created: a refused request must not leave a subject behind.
    const target = await this.validate(dto);
    // Who the identifiers name and whether any is suppressed, in one statement; the second answer only matters
    // for a subject created here (a known one is checked against its own contact in recordForKnown).
    const { subjectId: existing, suppressed } = await this.subjects.identify(ref);
    if (existing) return { ...(await this.recordForKnown(existing, dto, target, gpc)), created: false };

    // The receipt key exists before the transaction below opens; see ReceiptsService.ready.
    await this.receipts.ready();
    const locale = dto.locale.startsWith('en') ? 'en' : dto.locale.startsWith('pl') ? 'pl' : undefined;
    try {
      // The subject and the event that is its reason to exist commit together: a crash between them left
      // subjects holding an e-mail address and no consent at all (issue 25 item 12).
      const event = await this.dataSource.transaction(async (m) => {
        const row = await this.subjectLifecycle.create(
          { email: ref.email, phone: ref.phone, externalId: ref.externalId, ...(locale ? { locale } : {}) },
          m,
        );
        const draft = draftFor(dto, target, { subjectId: row.id, minorUntil: null, objected: false, suppressed, gpc });
        const mailLocale = draft.pending && ref.email ? mailLocaleFor(target.text.locale, locale ?? null) : null;
        return this.writer.writeIn(m, draft, {
          ...this.confirmationAfter(target, mailLocale),
          createdInThisTransaction: true,
        });
      });
      return { ...event!, created: true };
    } catch (e) {
      // Created by a concurrent request with the same identifier in the meantime (this transaction rolled back).
      const other = e instanceof ProblemError && e.code === 'subject_exists' ? (e.extras.subjectId as string) : null;
      if (!other) throw e;
      return { ...(await this.recordForKnown(other, dto, target, gpc)), created: false };
    }
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

  private async recordForKnown(subjectId: string, dto: GrantConsentDto, target: Target, gpc: boolean) {
    if (gpc) {
      const except = { purpose: target.purpose.key, channel: dto.channel };
      await this.withdrawForGpc(subjectId, except, dto.source.method as SourceMethod);
    }
    const facts = (await this.subjects.getDecisionFacts([subjectId])).get(subjectId);
    if (!facts) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (facts.status === 'erased') throw new ProblemError('subject_erased', 'This subject has been erased.');
    let suppressed = false;
    if (target.purpose.marketing && dto.decision === ConsentDecision.Granted) {
      // LEGAL item 7: a contact that was erased or objected stays suppressed when it comes back in an import.
      const contact = await this.subjects.getContact(subjectId);
      suppressed =
        !!contact &&
        (await this.subjects.identify({ email: contact.email ?? undefined, phone: contact.phone ?? undefined }))
          .suppressed;
    }
    return this.capture(subjectId, facts.minorUntil, dto, target, gpc, suppressed, facts.objectedToDirectMarketing);
  }

  private async capture(
    subjectId: string,
    minorUntil: string | null,
    dto: GrantConsentDto,
    target: Target,
    gpc: boolean,
    suppressed: boolean,
    objected = false,
  ): Promise<ConsentEvent> {
    const draft = draftFor(dto, target, { subjectId, minorUntil, objected, suppressed, gpc });
    // Looked up before the write so no extra round trip happens while the write holds its locks.
    const mailLocale = draft.pending ? await this.confirmationLocale(subjectId, target.text.locale) : null;
    const event = await this.writer.write(draft, this.confirmationAfter(target, mailLocale));
    return event!;
  }

  /** A pending (double opt-in) grant asks for its confirmation in the transaction that writes it. */
  private confirmationAfter(target: Target, mailLocale: EmailLocale | null) {
    if (!mailLocale) return {};
    return {
      after: (m: EntityManager, e: ConsentEvent) => this.optIn.requestConfirmation(m, e, target.purpose, mailLocale),
    };
  }

  /**
   * The purpose and text a row names, checked as a live grant checks them, for an import's batch: each distinct
   * purpose, channel, version and locale looked up once per import run (`cache`).
   */
  async importTarget(dto: GrantConsentDto, cache: Map<string, Target | ProblemError>): Promise<Target> {
    const key = JSON.stringify([dto.purpose, dto.channel, dto.version, dto.locale]);
    if (!cache.has(key)) {
      try {
        cache.set(key, await this.validate(dto));
      } catch (e) {
        // A refusal (unknown purpose, unpublished version) is the answer for every row naming the same.
        if (!(e instanceof ProblemError)) throw e;
        cache.set(key, e);
      }
    }
    const hit = cache.get(key)!;
    if (hit instanceof ProblemError) throw hit;
    return hit;
  }

  private async validate(dto: GrantConsentDto): Promise<Target> {
    const purpose = await this.purposes.findByKey(dto.purpose);
    if (!purpose) throw new ProblemError('unknown_purpose', 'No purpose with this key.', { purpose: dto.purpose });
    if (!purpose.channels.includes(dto.channel)) {
      throw new ProblemError('channel_not_offered', 'The purpose does not offer this channel.', {
        channels: purpose.channels,
      });
    }
    const text = await this.textFor(purpose.key, dto.version, dto.locale);
    if (text?.publishedAt && text.sha256) return { purpose, text };
    if (await this.purposes.hasPublishedVersion(this.dataSource.manager, purpose.key, dto.version)) {
      throw new ProblemError('locale_not_available', 'This version has no text in this locale.');
    }
    throw new ProblemError('unpublished_version', 'Consent can only be given to a published text version.', {
      currentVersion: purpose.currentVersion,
    });
  }

  /**
   * The language of the text agreed to, else the subject's. Null when there is no e-mail address to
   * confirm by: the grant then stays pending (and says no) until confirmed some other way.
   */
  private async confirmationLocale(subjectId: string, textLocale: string): Promise<EmailLocale | null> {
    const contact = await this.subjects.getContact(subjectId);
    return contact?.email ? mailLocaleFor(textLocale, contact.locale) : null;
  }

  /**
   * A text version in a locale. Published texts are frozen (the trigger consent_texts_published_frozen refuses any
   * UPDATE or DELETE of a published row), so a published one read once serves every later grant to it; drafts are
   * read afresh each time, since they may still change or be published.
   */
  private async textFor(key: string, version: number, locale: string): Promise<ConsentText | null> {
    const id = `${key}\u0000${version}\u0000${locale}`;
    const known = this.publishedTexts.get(id);
    if (known) return known;
    const text = await this.purposes.findText(key, version, locale);
    if (text?.publishedAt && text.sha256) {
      if (this.publishedTexts.size >= 1_000) this.publishedTexts.clear();
      this.publishedTexts.set(id, text);
    }
    return text;
  }
}

/** The confirmation e-mail speaks the language of the text agreed to, else the subject's, else Polish. */
function mailLocaleFor(textLocale: string, subjectLocale: string | null): EmailLocale {
  if (textLocale.startsWith('en')) return 'en';
  if (textLocale.startsWith('pl')) return 'pl';
  return subjectLocale === 'en' ? 'en' : 'pl';
}
