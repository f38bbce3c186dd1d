import { CLOCK_SKEW_MS } from '../common/clock/skew';
import { ProblemError } from '../common/problem/problem.error';
import { consentRequired, isChild } from './consent-rules';
import { ConsentText } from './consent-text.entity';
import type { EventDraft } from './consent-writer.service';
import { Channel, ConsentEventKind, EventReason, ExpressedBy, SourceMethod } from './consent.types';
import { GrantConsentDto } from './grant-consent.dto';
import { Purpose } from './purpose.entity';

export interface Target {
  purpose: Purpose;
  text: ConsentText;
}

/** What the rules need to know of the person when their decision is recorded. */
export interface DraftFacts {
  subjectId: string;
  minorUntil: string | null;
  /** An objection to direct marketing stands (issue 13 item 6). */
  objected: boolean;
  /** One of the person's identifiers is on the suppression list. */
  suppressed: boolean;
  gpc: boolean;
  /** An imported row's identity (issue 14 item 1). */
  importKey?: string;
  /** The import and file row it comes from. */
  importOrigin?: { id: string; row: number };
}

/**
 * A decision as it will be written, by the rules that apply to every way of recording one (a form, staff, an
 * import): 422 when the rules refuse it. Pure: the same input gives the same draft, whoever records it.
 */
export function draftFor(dto: GrantConsentDto, { purpose, text }: Target, facts: DraftFacts): EventDraft {
  const occurredAt = checkedOccurredAt(dto.occurredAt, text.publishedAt!);
  // The person's age, validity and the rest are judged as of when they expressed it.
  const now = occurredAt ?? new Date();
  let decision = dto.decision as unknown as ConsentEventKind;
  let reason: EventReason | null = null;
  const expressedBy = dto.expressedBy ?? ExpressedBy.Subject;
  // LEGAL item 11: GPC refuses sale, sharing and targeted advertising; other purposes are untouched.
  if (decision === ConsentEventKind.Granted && facts.gpc && purpose.saleOrSharing) {
    decision = ConsentEventKind.Refused;
    reason = EventReason.Gpc;
  }
  const granted = decision === ConsentEventKind.Granted;
  // Art. 8: below 16 only the holder of parental responsibility can consent. Refusing and withdrawing
  // stay open to the child.
  if (
    granted &&
    consentRequired(purpose, dto.channel) &&
    isChild(facts.minorUntil, now) &&
    expressedBy !== ExpressedBy.Guardian
  ) {
    throw new ProblemError('guardian_required', 'This subject is under 16: a guardian must give this consent.');
  }
  // Issue 13 item 6: after an objection to direct marketing or an erasure (suppression), a marketing grant
  // counts only once the person confirms it themselves, whatever the purpose's own double opt-in setting.
  const pending = granted && (purpose.doubleOptIn || (purpose.marketing && (facts.objected || facts.suppressed)));
  return {
    subjectId: facts.subjectId,
    purpose,
    channel: dto.channel,
    decision,
    reason: reason ?? (pending ? EventReason.DoubleOptIn : null),
    version: text.version,
    locale: text.locale,
    textSha256: text.sha256!,
    pending,
    confirmsEventId: null,
    expiresAt: granted ? requestedExpiry(dto.expiresAt, now) : null,
    validityDays: granted ? purpose.validityDays : null,
    ...(occurredAt ? { occurredAt } : {}),
    ...(facts.importKey ? { importKey: facts.importKey } : {}),
    ...(facts.importOrigin ? { importOrigin: facts.importOrigin } : {}),
    sourceMethod: dto.source.method,
    sourceLocation: dto.source.location ?? null,
    sourceStaffId: dto.source.staffId ?? null,
    expressedBy,
    gpc: facts.gpc,
    suppressed: granted && purpose.marketing && facts.suppressed,
    // The guardian's identity (Art. 8) is personal data: sealed with the evidence, never in the event or audit.
    evidence:
      dto.evidence || dto.guardian
        ? { ...(dto.evidence ?? {}), ...(dto.guardian ? { guardian: { ...dto.guardian } } : {}) }
        : null,
  };
}

/**
 * Issue 14: a decision expressed before it is recorded keeps its time. It cannot lie ahead (beyond clock skew)
 * nor before the text it was made on existed.
 */
function checkedOccurredAt(asked: string | undefined, publishedAt: Date): Date | null {
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
function requestedExpiry(asked: string | undefined, now: Date): Date | null {
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
 * The person's withdrawal of what `state` records (its text version and locale kept): the draft the unsubscribe
 * link, a GPC signal and an objection each write, differing only in why and through what.
 */
export function withdrawalDraft(
  subjectId: string,
  purpose: Purpose,
  state: { channel: string; version: number; locale: string; textSha256: string },
  how: { reason: EventReason; sourceMethod: SourceMethod; sourceLocation: string; gpc?: boolean },
): EventDraft {
  return {
    subjectId,
    purpose,
    channel: state.channel as Channel,
    decision: ConsentEventKind.Withdrawn,
    reason: how.reason,
    version: state.version,
    locale: state.locale,
    textSha256: state.textSha256,
    pending: false,
    confirmsEventId: null,
    expiresAt: null,
    validityDays: null,
    sourceMethod: how.sourceMethod,
    sourceLocation: how.sourceLocation,
    sourceStaffId: null,
    expressedBy: ExpressedBy.Subject,
    gpc: how.gpc ?? false,
    suppressed: false,
    evidence: null,
  };
}
