import {
  applyEvent,
  confirmable,
  decide,
  DecisionInput,
  EventFacts,
  listedStatus,
  StateFacts,
  underAge,
} from './consent-rules';
import { Channel, ConsentDecision, ConsentEventKind, DecisionReason, ExpressedBy, LegalBasis } from './consent.types';

const now = new Date('2025-06-15T10:00:00Z');
const ev = (over: Partial<EventFacts>): EventFacts => ({
  seq: '1',
  id: 'e1',
  decision: ConsentEventKind.Granted,
  version: 1,
  locale: 'pl',
  textSha256: 'a'.repeat(64),
  pending: false,
  confirmsEventId: null,
  occurredAt: new Date('2025-06-01T00:00:00Z'),
  expiresAt: null,
  expressedBy: ExpressedBy.Subject,
  suppressed: false,
  ...over,
});
const granted: StateFacts = applyEvent(undefined, ev({}))!;
const base: DecisionInput = {
  purpose: { legalBasis: LegalBasis.Consent, marketing: true, minimumAge: 16, reconsentFromVersion: 0 },
  channel: Channel.Email,
  subject: { status: 'active', minorUntil: null, objectedToDirectMarketing: false, objectedToPurpose: false },
  state: granted,
  grantedOnOtherChannel: false,
  identifierSuppressed: false,
  now,
};

describe('applyEvent', () => {
  it('a later decision replaces the earlier one', () => {
    const w = applyEvent(granted, ev({ seq: '2', id: 'e2', decision: ConsentEventKind.Withdrawn }))!;
    expect(w).toMatchObject({ status: ConsentDecision.Withdrawn, eventId: 'e2', grantedAt: null, expiresAt: null });
  });
  it('a confirmation completes only the pending grant it names', () => {
    const pending = applyEvent(undefined, ev({ pending: true }))!;
    expect(confirmable(pending, 'e1')).toBe(true);
    expect(confirmable(pending, 'other')).toBe(false);
    const stale = applyEvent(
      pending,
      ev({ seq: '2', id: 'c0', decision: ConsentEventKind.Confirmed, confirmsEventId: 'x' }),
    );
    expect(stale).toBe(pending);
    const done = applyEvent(
      pending,
      ev({ seq: '3', id: 'c1', decision: ConsentEventKind.Confirmed, confirmsEventId: 'e1' }),
    )!;
    expect(done).toMatchObject({ pending: false, eventId: 'e1', lastSeq: '3', status: ConsentDecision.Granted });
    expect(listedStatus(pending, now)).toBe('pending');
    expect(listedStatus(done, now)).toBe('granted');
  });
  it('lists an expired grant as expired from the instant of expiry', () => {
    const s = applyEvent(undefined, ev({ expiresAt: now }))!;
    expect(listedStatus(s, now)).toBe('expired');
    expect(listedStatus(s, new Date(now.getTime() - 1))).toBe('granted');
  });
});

describe('decide', () => {
  const cases: [string, Partial<DecisionInput>, boolean, DecisionReason][] = [
    ['granted', {}, true, DecisionReason.Granted],
    ['unknown subject', { subject: undefined }, false, DecisionReason.UnknownSubject],
    [
      'unknown but suppressed identifier',
      { subject: undefined, identifierSuppressed: true },
      false,
      DecisionReason.Suppressed,
    ],
    [
      'erased',
      { subject: { status: 'erased', minorUntil: null, objectedToDirectMarketing: false, objectedToPurpose: false } },
      false,
      DecisionReason.Erased,
    ],
    [
      'restricted',
      {
        subject: { status: 'restricted', minorUntil: null, objectedToDirectMarketing: false, objectedToPurpose: false },
      },
      false,
      DecisionReason.Restricted,
    ],
    [
      'objected',
      { subject: { status: 'active', minorUntil: null, objectedToDirectMarketing: true, objectedToPurpose: false } },
      false,
      DecisionReason.Objected,
    ],
    [
      'objected to this purpose (Art. 21(1)), even on a legitimate-interest basis and a non-marketing purpose',
      {
        purpose: {
          legalBasis: LegalBasis.LegitimateInterests,
          marketing: false,
          minimumAge: 16,
          reconsentFromVersion: 0,
        },
        subject: { status: 'active', minorUntil: null, objectedToDirectMarketing: false, objectedToPurpose: true },
      },
      false,
      DecisionReason.Objected,
    ],
    [
      'objected, with a grant the person confirmed since (issue 13 item 6)',
      {
        subject: { status: 'active', minorUntil: null, objectedToDirectMarketing: true, objectedToPurpose: false },
        state: { ...granted, confirmedAt: now },
      },
      true,
      DecisionReason.Granted,
    ],
    [
      'objected, with a pending re-grant',
      {
        subject: { status: 'active', minorUntil: null, objectedToDirectMarketing: true, objectedToPurpose: false },
        state: { ...granted, pending: true, confirmedAt: null },
      },
      false,
      DecisionReason.Objected,
    ],
    [
      'suppressed identifier, with a confirmed grant',
      { identifierSuppressed: true, state: { ...granted, confirmedAt: now } },
      true,
      DecisionReason.Granted,
    ],
    [
      'suppressed at capture, then confirmed',
      { state: { ...granted, suppressed: true, confirmedAt: now } },
      true,
      DecisionReason.Granted,
    ],
    ['suppressed identifier', { identifierSuppressed: true }, false, DecisionReason.Suppressed],
    ['suppressed at capture', { state: { ...granted, suppressed: true } }, false, DecisionReason.Suppressed],
    ['no consent', { state: undefined }, false, DecisionReason.NoConsent],
    [
      'other channel only',
      { state: undefined, grantedOnOtherChannel: true },
      false,
      DecisionReason.ChannelNotConsented,
    ],
    ['refused', { state: { ...granted, status: ConsentDecision.Refused } }, false, DecisionReason.Refused],
    ['withdrawn', { state: { ...granted, status: ConsentDecision.Withdrawn } }, false, DecisionReason.Withdrawn],
    ['pending double opt-in', { state: { ...granted, pending: true } }, false, DecisionReason.NoConsent],
    ['expired at the instant', { state: { ...granted, expiresAt: now } }, false, DecisionReason.Expired],
    [
      'not yet expired',
      { state: { ...granted, expiresAt: new Date(now.getTime() + 1) } },
      true,
      DecisionReason.Granted,
    ],
    ['reconsent', { purpose: { ...base.purpose, reconsentFromVersion: 2 } }, false, DecisionReason.ReconsentRequired],
    [
      'child without guardian',
      {
        subject: {
          status: 'active',
          minorUntil: '2026-01-01',
          objectedToDirectMarketing: false,
          objectedToPurpose: false,
        },
      },
      false,
      DecisionReason.UnderAge,
    ],
    [
      'child with guardian',
      {
        subject: {
          status: 'active',
          minorUntil: '2026-01-01',
          objectedToDirectMarketing: false,
          objectedToPurpose: false,
        },
        state: { ...granted, expressedBy: ExpressedBy.Guardian },
      },
      true,
      DecisionReason.Granted,
    ],
    [
      'contract basis needs no consent',
      { purpose: { ...base.purpose, legalBasis: LegalBasis.Contract, marketing: false }, state: undefined },
      true,
      DecisionReason.LegalBasis,
    ],
    [
      'marketing by e-mail needs consent whatever the basis',
      { purpose: { ...base.purpose, legalBasis: LegalBasis.LegitimateInterests }, state: undefined },
      false,
      DecisionReason.NoConsent,
    ],
    [
      'marketing by post on legitimate interests',
      {
        purpose: { ...base.purpose, legalBasis: LegalBasis.LegitimateInterests },
        channel: Channel.Post,
        state: undefined,
      },
      true,
      DecisionReason.LegalBasis,
    ],
  ];
  it.each(cases)('%s', (_name, over, allowed, reason) => {
    expect(decide({ ...base, ...over })).toEqual({ allowed, reason });
  });
});

describe('underAge', () => {
  const p = (minimumAge: number) => ({ ...base.purpose, minimumAge });
  it('uses the Polish calendar day for the 16th birthday', () => {
    // 2025-06-14T22:30Z is already 15 June in Warsaw.
    expect(underAge(p(16), '2025-06-15', ExpressedBy.Subject, new Date('2025-06-14T22:30:00Z'))).toBe(false);
    expect(underAge(p(16), '2025-06-15', ExpressedBy.Subject, new Date('2025-06-14T21:30:00Z'))).toBe(true);
  });
  it('nobody can consent below a minimum age above 16', () => {
    expect(underAge(p(18), '2024-06-15', ExpressedBy.Guardian, now)).toBe(true);
    expect(underAge(p(18), '2023-06-15', ExpressedBy.Subject, now)).toBe(false);
  });
});
