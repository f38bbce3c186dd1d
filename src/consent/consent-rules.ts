import { DateTime } from 'luxon';
import {
  AGE_OF_DIGITAL_CONSENT,
  Channel,
  ConsentDecision,
  ConsentEventKind,
  DecisionReason,
  ELECTRONIC_CHANNELS,
  ExpressedBy,
  LegalBasis,
} from './consent.types';

// Pure rules shared by the write path (projection), the as-of reconstruction and the decision API, so
// that "the state now" and "the state at time T" can never disagree on how events combine.

export interface EventFacts {
  seq: string;
  id: string;
  decision: ConsentEventKind;
  version: number;
  locale: string;
  textSha256: string;
  pending: boolean;
  confirmsEventId: string | null;
  /** When the person expressed it: the time a grant or a confirmation counts from. */
  occurredAt: Date;
  expiresAt: Date | null;
  expressedBy: ExpressedBy;
  suppressed: boolean;
}

export interface StateFacts {
  status: ConsentDecision;
  eventId: string;
  lastSeq: string;
  version: number;
  locale: string;
  textSha256: string;
  grantedAt: Date | null;
  confirmedAt: Date | null;
  expiresAt: Date | null;
  pending: boolean;
  expressedBy: ExpressedBy;
  suppressed: boolean;
}

/** The state after one more event. A confirmation only counts for the pending grant it names. */
export function applyEvent(prev: StateFacts | undefined, e: EventFacts): StateFacts | undefined {
  if (e.decision === ConsentEventKind.Confirmed) {
    if (!prev || !prev.pending || prev.eventId !== e.confirmsEventId) return prev;
    return { ...prev, pending: false, confirmedAt: e.occurredAt, lastSeq: e.seq };
  }
  const granted = e.decision === ConsentEventKind.Granted;
  return {
    status: e.decision as unknown as ConsentDecision,
    eventId: e.id,
    lastSeq: e.seq,
    version: e.version,
    locale: e.locale,
    textSha256: e.textSha256,
    grantedAt: granted ? e.occurredAt : null,
    confirmedAt: null,
    expiresAt: granted ? e.expiresAt : null,
    pending: granted && e.pending,
    expressedBy: e.expressedBy,
    suppressed: e.suppressed,
  };
}

/** Whether a confirmation of `grantEventId` would change anything (otherwise it is not recorded). */
export function confirmable(state: StateFacts | undefined, grantEventId: string): boolean {
  return !!state && state.pending && state.status === ConsentDecision.Granted && state.eventId === grantEventId;
}

export type ListedStatus = ConsentDecision | 'expired' | 'pending' | 'none';

export function listedStatus(state: StateFacts | undefined, at: Date): ListedStatus {
  if (!state) return 'none';
  if (state.status !== ConsentDecision.Granted) return state.status;
  if (state.pending) return 'pending';
  if (state.expiresAt && state.expiresAt.getTime() <= at.getTime()) return 'expired';
  return ConsentDecision.Granted;
}

export interface PurposeRules {
  legalBasis: LegalBasis;
  marketing: boolean;
  minimumAge: number;
  reconsentFromVersion: number;
}

export interface SubjectFacts {
  status: 'active' | 'restricted' | 'erased';
  minorUntil: string | null;
  objectedToDirectMarketing: boolean;
  /** Art. 21(1): the subject objected to this purpose (assessed or upheld). */
  objectedToPurpose: boolean;
}

export interface DecisionInput {
  purpose: PurposeRules;
  channel: Channel;
  /** Undefined: no such subject. */
  subject: SubjectFacts | undefined;
  /** The state for this channel. */
  state: StateFacts | undefined;
  /** A current grant exists for the purpose on another channel. */
  grantedOnOtherChannel: boolean;
  /** The identifier asked about is on the suppression list. */
  identifierSuppressed: boolean;
  now: Date;
}

export interface DecisionOutcome {
  allowed: boolean;
  reason: DecisionReason;
}

const no = (reason: DecisionReason): DecisionOutcome => ({ allowed: false, reason });

/** Consent is the basis, or the purpose is direct marketing on a channel that needs prior consent (PKE art. 398). */
export function consentRequired(purpose: PurposeRules, channel: Channel): boolean {
  return purpose.legalBasis === LegalBasis.Consent || (purpose.marketing && ELECTRONIC_CHANNELS.includes(channel));
}

/** A current grant the person confirmed themselves (double opt-in): the one act that outweighs a suppression. */
export function optedInByConfirmation(state: StateFacts | undefined): boolean {
  return !!state && state.status === ConsentDecision.Granted && !state.pending && state.confirmedAt !== null;
}

/** The order matters: the subject's rights (erasure, restriction, objection) override any consent. */
export function decide(input: DecisionInput): DecisionOutcome {
  const { purpose, subject, state, now } = input;
  if (!subject) return no(input.identifierSuppressed ? DecisionReason.Suppressed : DecisionReason.UnknownSubject);
  if (subject.status === 'erased') return no(DecisionReason.Erased);
  // Art. 18: restricted data may only be stored.
  if (subject.status === 'restricted') return no(DecisionReason.Restricted);
  // Art. 21(1): an objection to the purpose stops it on every channel, whatever its basis, from the moment it
  // is made; while it is assessed processing is restricted (Art. 18(1)(d)), and it resumes only if compelling
  // grounds are recorded.
  if (subject.objectedToPurpose) return no(DecisionReason.Objected);
  if (purpose.marketing) {
    // Issue 13 item 6: only the person's own new act undoes an objection or a suppression, and only for the
    // purpose and channel they opted in to: a grant confirmed by double opt-in. An objection withdraws every
    // marketing grant there is (ConsentObjectionHooks), so a confirmed grant that still stands was given after it.
    const optedInAgain = optedInByConfirmation(state);
    // Art. 21(3): an objection to direct marketing takes effect at once, with no balancing.
    if (subject.objectedToDirectMarketing && !optedInAgain) return no(DecisionReason.Objected);
    if ((input.identifierSuppressed || state?.suppressed) && !optedInAgain) return no(DecisionReason.Suppressed);
  }
  if (!consentRequired(purpose, input.channel)) return { allowed: true, reason: DecisionReason.LegalBasis };
  if (!state) return no(input.grantedOnOtherChannel ? DecisionReason.ChannelNotConsented : DecisionReason.NoConsent);
  if (state.status === ConsentDecision.Refused) return no(DecisionReason.Refused);
  if (state.status === ConsentDecision.Withdrawn) return no(DecisionReason.Withdrawn);
  // A double opt-in grant is not a consent until confirmed.
  if (state.pending) return no(DecisionReason.NoConsent);
  if (state.expiresAt && state.expiresAt.getTime() <= now.getTime()) return no(DecisionReason.Expired);
  if (state.version < purpose.reconsentFromVersion) return no(DecisionReason.ReconsentRequired);
  if (underAge(purpose, subject.minorUntil, state.expressedBy, now)) return no(DecisionReason.UnderAge);
  return { allowed: true, reason: DecisionReason.Granted };
}

/**
 * Issue 16 item 1: until when `decide(input)` stays what it is with nothing but time passing, or null when time alone
 * never changes it. A decision kept as a row carries this as `valid_until`, so a reader trusts the row before it and
 * decides again after. Time enters the rules in two places only: a grant's expiry, and the days a child turns 16 and
 * turns the purpose's minimum age (midnight in Poland). The earliest of those still ahead is returned, even where the
 * path `decide` takes would not look at it: early is safe (the row is decided again), late is not.
 */
export function decisionValidUntil(input: DecisionInput): Date | null {
  const now = input.now.getTime();
  const moments: number[] = [];
  const expiresAt = input.state?.expiresAt;
  if (expiresAt && expiresAt.getTime() > now) moments.push(expiresAt.getTime());
  const minorUntil = input.subject?.minorUntil;
  if (minorUntil) {
    const day = DateTime.fromISO(minorUntil, { zone: 'Europe/Warsaw' });
    for (const d of [day, day.plus({ years: input.purpose.minimumAge - AGE_OF_DIGITAL_CONSENT })]) {
      const at = d.startOf('day').toMillis();
      if (at > now) moments.push(at);
    }
  }
  return moments.length ? new Date(Math.min(...moments)) : null;
}

/** Today in Poland, as YYYY-MM-DD: birthdays change at midnight local time. */
export function polishToday(now: Date): string {
  return DateTime.fromJSDate(now).setZone('Europe/Warsaw').toISODate()!;
}

/** Art. 8: under 16 the guardian consents. `minorUntil` is the day the subject turns 16. */
export function isChild(minorUntil: string | null, now: Date): boolean {
  return !!minorUntil && polishToday(now) < minorUntil;
}

/**
 * Below the purpose's own minimum age nobody can consent when that age is above 16 (e.g. alcohol offers
 * at 18); at or below 16 a guardian's consent covers a child (Art. 8(1)). `minorUntil` is only known
 * while the subject is under 16, so a minimum above 16 is enforced for children only.
 */
export function underAge(
  purpose: PurposeRules,
  minorUntil: string | null,
  expressedBy: ExpressedBy,
  now: Date,
): boolean {
  if (!minorUntil) return false;
  const turnsMinimum = DateTime.fromISO(minorUntil, { zone: 'Europe/Warsaw' })
    .plus({ years: purpose.minimumAge - AGE_OF_DIGITAL_CONSENT })
    .toISODate()!;
  const belowMinimum = polishToday(now) < turnsMinimum;
  if (belowMinimum && purpose.minimumAge > AGE_OF_DIGITAL_CONSENT) return true;
  const child = isChild(minorUntil, now) || belowMinimum;
  return child && purpose.legalBasis === LegalBasis.Consent && expressedBy !== ExpressedBy.Guardian;
}

/** A grant that counts now on its channel: granted, confirmed where double opt-in asks it, not expired. */
export function currentGrant(state: StateFacts | undefined, now: Date): boolean {
  return (
    !!state &&
    state.status === ConsentDecision.Granted &&
    !state.pending &&
    (!state.expiresAt || state.expiresAt.getTime() > now.getTime())
  );
}

/** What a subject's row for one purpose is decided from: its facts, and its states on the purpose's channels. */
export interface DecisionRowsInput {
  purpose: PurposeRules;
  channels: Channel[];
  subject: SubjectFacts;
  states: Partial<Record<Channel, StateFacts>>;
  now: Date;
}

/** One channel's decision row: the reason as asked by id, the reason when the identifier asked by is suppressed. */
export interface DecisionRowFacts {
  channel: Channel;
  reason: DecisionReason;
  reasonIfSuppressed: DecisionReason;
  /** The state the decision rests on (none for a purpose with another basis, or no state on the channel). */
  state: StateFacts | undefined;
  /** When the row must be decided again. */
  validUntil: Date | null;
  /** The answer's own `validUntil` (`decisionValidUntil`): what a check decided without the row says. */
  answerValidUntil: Date | null;
}

/**
 * Issue 16 item 1: the decision rows of one subject and purpose, one per channel the purpose offers, from `decide`
 * (the one set of rules). A row is good until `validUntil`: its own decision's moments, and the expiry of a current
 * grant on another channel, which turns `no_consent` into `channel_not_consented` while it lasts.
 */
export function decisionRows(input: DecisionRowsInput): DecisionRowFacts[] {
  const { purpose, subject, states, now } = input;
  return input.channels.map((channel) => {
    const state = states[channel];
    const others = input.channels.filter((c) => c !== channel).map((c) => states[c]);
    const base = {
      purpose,
      channel,
      subject,
      state,
      now,
      grantedOnOtherChannel: others.some((s) => currentGrant(s, now)),
    };
    const asked = { ...base, identifierSuppressed: false };
    const reason = decide(asked).reason;
    const answerValidUntil = decisionValidUntil(asked);
    const moments = [
      answerValidUntil?.getTime(),
      ...others.map((s) => (currentGrant(s, now) ? s!.expiresAt?.getTime() : undefined)),
    ];
    const ahead = moments.filter((t): t is number => t !== undefined);
    return {
      channel,
      reason,
      reasonIfSuppressed: decide({ ...base, identifierSuppressed: true }).reason,
      state: reason === DecisionReason.LegalBasis ? undefined : state,
      validUntil: ahead.length ? new Date(Math.min(...ahead)) : null,
      answerValidUntil,
    };
  });
}
