import {
  BatchFacts,
  compilePolicies,
  factsFor,
  planSubject,
  PurposeConsent,
  reviewKey,
  SweepSubject,
  tally,
} from './retention-plan';
import { PolicySnapshot } from './retention.types';

const asOf = new Date('2026-06-01T12:00:00Z');
const yearsAgo = (n: number) => new Date(asOf.getTime() - n * 365.25 * 24 * 3600 * 1000);

const policy = (over: Partial<PolicySnapshot> & { key: string }): PolicySnapshot => ({
  version: 1,
  dataCategory: 'contact_data',
  purpose: null,
  system: null,
  trigger: 'last_activity',
  period: 'P2Y',
  roundToYearEnd: false,
  action: 'anonymise',
  ...over,
});

const contact = policy({ key: 'contact' });
const consentProof = policy({
  key: 'consent-proof',
  dataCategory: 'consent_records',
  trigger: 'consent_withdrawn',
  period: 'P3Y',
  roundToYearEnd: true,
  action: 'erase',
});
const medical = policy({
  key: 'medical',
  dataCategory: 'eye_exam_records',
  trigger: 'end_of_year_after_last_entry',
  period: 'P5Y',
  action: 'review',
});
const newsletterInactive = policy({
  key: 'newsletter-inactive',
  dataCategory: null,
  purpose: 'newsletter',
  trigger: 'last_activity',
  period: 'P1Y',
  action: 'erase',
});

const subject = (id: string, over: Partial<SweepSubject> = {}): SweepSubject => ({
  id,
  status: 'active',
  createdAt: yearsAgo(10),
  lastActivityAt: yearsAgo(3),
  ...over,
});

function facts(over: Partial<BatchFacts> = {}): BatchFacts {
  return {
    held: new Set(),
    openRequests: new Set(),
    consents: new Map(),
    requestCompletedAt: new Map(),
    entries: new Map(),
    reviewsRaised: new Set(),
    ...over,
  };
}

const consents = (id: string, byPurpose: Record<string, PurposeConsent>) =>
  new Map([[id, new Map(Object.entries(byPurpose))]]);

const plan = (s: SweepSubject, ps: PolicySnapshot[], f: BatchFacts = facts(), dryRun = false) =>
  planSubject(s, compilePolicies(ps, asOf), f, dryRun);

describe('planSubject', () => {
  it('leaves a subject no policy is due for', () => {
    expect(plan(subject('a', { lastActivityAt: yearsAgo(1) }), [contact])).toBeNull();
  });

  it('anonymises a subject inactive past the period, and only says so in a dry run', () => {
    expect(plan(subject('a'), [contact])).toEqual({
      subjectId: 'a',
      action: 'anonymise',
      reviews: [],
      items: [{ policyKey: 'contact', outcome: 'anonymised' }],
    });
    expect(plan(subject('a'), [contact], facts(), true)).toEqual({
      subjectId: 'a',
      action: null,
      reviews: [],
      items: [{ policyKey: 'contact', outcome: 'would_anonymise' }],
    });
  });

  it.each([
    ['legal_hold', facts({ held: new Set(['a']) }), subject('a', { lastActivityAt: yearsAgo(7) })],
    ['open_request', facts({ openRequests: new Set(['a']) }), subject('a', { lastActivityAt: yearsAgo(7) })],
    ['restricted', facts(), subject('a', { status: 'restricted', lastActivityAt: yearsAgo(7) })],
  ])('freezes a subject under %s for every due policy, reviews included', (reason, f, s) => {
    const p = plan(s, [contact, medical], f);
    expect(p?.action).toBeNull();
    expect(p?.reviews).toEqual([]);
    expect(p?.items).toEqual([
      { policyKey: 'contact', outcome: reason },
      { policyKey: 'medical', outcome: reason },
    ]);
  });

  it('names the hold first when a subject is held, asked about and restricted at once', () => {
    const f = facts({ held: new Set(['a']), openRequests: new Set(['a']) });
    expect(plan(subject('a', { status: 'restricted' }), [contact], f)?.items[0].outcome).toBe('legal_hold');
  });

  it('keeps a record while another consent is still valid (Art. 5(1)(e))', () => {
    const f = facts({ consents: consents('a', { 'sms-promotions': { valid: true, endedAt: null } }) });
    expect(plan(subject('a'), [contact], f)).toMatchObject({
      action: null,
      items: [{ policyKey: 'contact', outcome: 'active_consent' }],
    });
  });

  it("does not let the due policy's own purpose keep the record", () => {
    const f = facts({ consents: consents('a', { newsletter: { valid: true, endedAt: null } }) });
    expect(plan(subject('a'), [newsletterInactive], f)).toMatchObject({
      action: 'erase',
      items: [{ policyKey: 'newsletter-inactive', outcome: 'erased' }],
    });
  });

  it('keeps the record while a longer policy still needs it: the longest period wins', () => {
    // Withdrawn a year ago: the proof of consent is kept 3 years, to the year end; contact data is due.
    const f = facts({ consents: consents('a', { newsletter: { valid: false, endedAt: yearsAgo(1) } }) });
    expect(plan(subject('a'), [contact, consentProof], f)?.items).toEqual([
      { policyKey: 'contact', outcome: 'retained' },
    ]);
  });

  it('erases once every policy is due, erase winning over anonymise', () => {
    const f = facts({ consents: consents('a', { newsletter: { valid: false, endedAt: yearsAgo(5) } }) });
    expect(plan(subject('a'), [contact, consentProof], f)).toEqual({
      subjectId: 'a',
      action: 'erase',
      reviews: [],
      items: [
        { policyKey: 'contact', outcome: 'erased' },
        { policyKey: 'consent-proof', outcome: 'erased' },
      ],
    });
  });

  it('counts consent end from the last consent to end, and only once none is valid', () => {
    const ended = { newsletter: { valid: false, endedAt: yearsAgo(5) }, sms: { valid: false, endedAt: yearsAgo(1) } };
    expect(plan(subject('a'), [consentProof], facts({ consents: consents('a', ended) }))).toBeNull();
    const older = { newsletter: { valid: false, endedAt: yearsAgo(6) }, sms: { valid: false, endedAt: yearsAgo(5) } };
    expect(plan(subject('a'), [consentProof], facts({ consents: consents('a', older) }))?.action).toBe('erase');
  });

  it('does not apply consent policies to subjects who never consented', () => {
    expect(plan(subject('a'), [consentProof])).toBeNull();
    expect(plan(subject('a'), [newsletterInactive])).toBeNull();
    // ...nor let them keep a record that is otherwise due
    expect(plan(subject('a'), [contact, consentProof])?.action).toBe('anonymise');
  });

  it('raises a review once, and not for a record that goes anyway', () => {
    const old = subject('a', { lastActivityAt: yearsAgo(7) });
    expect(plan(old, [medical])).toEqual({
      subjectId: 'a',
      action: null,
      reviews: ['medical'],
      items: [{ policyKey: 'medical', outcome: 'review_created' }],
    });
    expect(plan(old, [medical], facts({ reviewsRaised: new Set([reviewKey('a', 'medical')]) }))?.items).toEqual([
      { policyKey: 'medical', outcome: 'review_exists' },
    ]);
    expect(plan(old, [medical], facts(), true)?.items).toEqual([{ policyKey: 'medical', outcome: 'would_review' }]);
    expect(plan(old, [contact, medical])?.items).toEqual([
      { policyKey: 'contact', outcome: 'anonymised' },
      { policyKey: 'medical', outcome: 'superseded' },
    ]);
  });

  it('still raises a review when the record itself is kept for a live consent', () => {
    const old = subject('a', { lastActivityAt: yearsAgo(7) });
    const f = facts({ consents: consents('a', { sms: { valid: true, endedAt: null } }) });
    expect(plan(old, [contact, medical], f)).toMatchObject({
      action: null,
      reviews: ['medical'],
      items: [
        { policyKey: 'contact', outcome: 'active_consent' },
        { policyKey: 'medical', outcome: 'review_created' },
      ],
    });
  });

  it('counts request_completed from the completion, and ignores contract_ended (no facts yet)', () => {
    const afterRequest = policy({
      key: 'after-request',
      trigger: 'request_completed',
      period: 'P30D',
      action: 'erase',
    });
    const complaints = policy({ key: 'complaints', trigger: 'contract_ended', period: 'P1Y', action: 'review' });
    const f = facts({ requestCompletedAt: new Map([['a', new Date(asOf.getTime() - 31 * 86400_000)]]) });
    expect(plan(subject('a'), [afterRequest, complaints], f)?.action).toBe('erase');
    expect(plan(subject('b'), [afterRequest, complaints], f)).toBeNull();
  });
});

describe('tally', () => {
  it('counts subjects once per run and items once per policy', () => {
    const t = tally([
      { subjectId: 'a', policyKey: 'contact', outcome: 'erased' },
      { subjectId: 'a', policyKey: 'medical', outcome: 'superseded' },
      { subjectId: 'b', policyKey: 'contact', outcome: 'legal_hold' },
      { subjectId: 'b', policyKey: 'medical', outcome: 'legal_hold' },
      { subjectId: 'c', policyKey: 'contact', outcome: 'retained' },
      { subjectId: 'c', policyKey: 'medical', outcome: 'review_exists' },
      { subjectId: 'd', policyKey: 'contact', outcome: 'failed' },
      { subjectId: 'e', policyKey: 'contact', outcome: 'restricted' },
    ]);
    expect(t.run).toEqual({
      matched: 5,
      processed: 1,
      failed: 1,
      skipped: { legalHold: 1, openRequest: 0, restricted: 1, activeConsent: 0, retained: 1, reviewExists: 0 },
    });
    expect(t.byPolicy.contact).toEqual({
      matched: 5,
      processed: 1,
      failed: 1,
      skipped: { legalHold: 1, openRequest: 0, restricted: 1, activeConsent: 0, retained: 1, reviewExists: 0 },
    });
    expect(t.byPolicy.medical).toEqual({
      matched: 3,
      processed: 1,
      failed: 0,
      skipped: { legalHold: 1, openRequest: 0, restricted: 0, activeConsent: 0, retained: 0, reviewExists: 1 },
    });
  });
});

describe('factsFor: dates reported by data systems (issue 13 item 15)', () => {
  const s = subject('s1', { lastActivityAt: yearsAgo(1) });
  const complaints = policy({
    key: 'complaints',
    dataCategory: 'complaints',
    trigger: 'complaint_settled',
    period: 'P1Y',
  });

  it('counts a medical period from the last entry the records system reported, not Zgoda’s last activity', () => {
    const reported = yearsAgo(4);
    const withEntry = facts({
      entries: new Map([['s1', [{ kind: 'eye_exam_records', system: 'medical', at: reported }]]]),
    });
    expect(factsFor(s, medical, withEntry)?.lastEntryAt).toEqual(reported);
    // Another category's entry does not count; without a report Zgoda's last activity stands in.
    const other = facts({ entries: new Map([['s1', [{ kind: 'accounting_records', system: null, at: reported }]]]) });
    expect(factsFor(s, medical, other)?.lastEntryAt).toEqual(s.lastActivityAt);
    // A policy naming a system takes only that system's reports.
    const scoped = policy({ ...medical, key: 'medical-scoped', system: 'other-clinic' });
    expect(factsFor(s, scoped, withEntry)?.lastEntryAt).toEqual(s.lastActivityAt);
  });

  it('counts complaints from the reported settlement, and not at all before one', () => {
    expect(factsFor(s, complaints, facts())).toBeNull();
    const settled = yearsAgo(2);
    const reported = facts({
      entries: new Map([
        [
          's1',
          [
            { kind: 'complaint_settled', system: 'shop', at: yearsAgo(3) },
            { kind: 'complaint_settled', system: 'shop-2', at: settled },
          ],
        ],
      ]),
    });
    expect(factsFor(s, complaints, reported)?.complaintSettledAt).toEqual(settled);
  });
});
