import type { ReportedEntry } from '../subjects';
import { RetentionFacts, retentionDueTester, triggerFact } from './retention-due';
import {
  DESTRUCTIVE_ACTIONS,
  emptyCounts,
  ItemOutcome,
  OutcomeCounts,
  PolicySnapshot,
  PROCESSED_OUTCOMES,
  SKIP_KEY,
  SKIP_OUTCOMES,
  SkipOutcome,
} from './retention.types';

// What a run decides for one batch of subjects, without a database: the rules of LEGAL items 24-25 in
// one place, so they can be tested case by case.

export interface SweepSubject {
  id: string;
  status: 'active' | 'restricted';
  createdAt: Date;
  lastActivityAt: Date;
}

/** A subject's consent for one purpose, across channels, at the run's as-of instant. */
export interface PurposeConsent {
  /** Some channel holds a confirmed, unexpired grant. */
  valid: boolean;
  /** When the last consent ended (withdrawal, or expiry), when none is valid; null otherwise. */
  endedAt: Date | null;
}

export interface BatchFacts {
  held: ReadonlySet<string>;
  openRequests: ReadonlySet<string>;
  /** subject id -> purpose key -> consent. Subjects without consent records are absent. */
  consents: ReadonlyMap<string, ReadonlyMap<string, PurposeConsent>>;
  requestCompletedAt: ReadonlyMap<string, Date>;
  /** Dates data systems reported (POST /v1/subjects/{id}/activity with a kind), by subject. */
  entries: ReadonlyMap<string, readonly ReportedEntry[]>;
  /** `reviewKey(subjectId, policyKey)` of review tasks raised before, open or resolved. */
  reviewsRaised: ReadonlySet<string>;
}

export const reviewKey = (subjectId: string, policyKey: string) => `${subjectId}\u0000${policyKey}`;

export interface CompiledPolicy {
  snapshot: PolicySnapshot;
  isDue: (facts: RetentionFacts) => boolean;
}

export function compilePolicies(policies: PolicySnapshot[], asOf: Date): CompiledPolicy[] {
  return policies.map((snapshot) => ({ snapshot, isDue: retentionDueTester(snapshot, asOf) }));
}

export interface PlannedItem {
  policyKey: string;
  outcome: ItemOutcome;
}

export interface SubjectPlan {
  subjectId: string;
  /** What happens to Zgoda's record of the subject in a real run; null: nothing is destroyed. */
  action: 'erase' | 'anonymise' | null;
  /** Policies to raise a review task for (real runs). */
  reviews: string[];
  items: PlannedItem[];
}

const isDestructive = (p: PolicySnapshot) => DESTRUCTIVE_ACTIONS.includes(p.action);

/**
 * The facts a policy counts from for this subject, or null when the policy does not apply: a purpose
 * policy covers subjects with consent records for that purpose; a category policy covers every subject
 * Zgoda holds, since it holds contact data for each. A trigger whose event has not happened (no
 * withdrawal, no completed request, no contract facts) does not apply either.
 */
export function factsFor(subject: SweepSubject, policy: PolicySnapshot, facts: BatchFacts): RetentionFacts | null {
  const consents = facts.consents.get(subject.id);
  let consentEndedAt: Date | undefined;
  if (policy.purpose !== null) {
    const c = consents?.get(policy.purpose);
    if (!c) return null;
    consentEndedAt = !c.valid && c.endedAt ? c.endedAt : undefined;
  } else if (consents && ![...consents.values()].some((c) => c.valid)) {
    // For a category, consent ends when the subject's last consent does (the proof of each is kept).
    const ends = [...consents.values()].map((c) => c.endedAt?.getTime() ?? -Infinity);
    const last = Math.max(...ends);
    consentEndedAt = Number.isFinite(last) ? new Date(last) : undefined;
  }
  const entries = facts.entries.get(subject.id) ?? [];
  // The latest date reported for a kind, from the policy's system when it names one.
  const reported = (kind: string | null) => {
    const times = entries
      .filter((e) => e.kind === kind && (policy.system === null || e.system === policy.system))
      .map((e) => e.at.getTime());
    return times.length ? new Date(Math.max(...times)) : undefined;
  };
  const out: RetentionFacts = {
    createdAt: subject.createdAt,
    lastActivityAt: subject.lastActivityAt,
    // Issue 13 item 15: medical and accounting periods run from the last entry the system keeping those
    // records reported for the category. Until one has reported, Zgoda's own last activity with the subject
    // (a visit, an order) stands in: the nearest fact it has, and a review task asks a person to check anyway.
    lastEntryAt: reported(policy.dataCategory) ?? subject.lastActivityAt,
    consentWithdrawnAt: consentEndedAt,
    requestCompletedAt: facts.requestCompletedAt.get(subject.id),
    // Events a data system reported; a policy counting from one matches nobody until it has.
    contractEndedAt: reported('contract_ended'),
    complaintSettledAt: reported('complaint_settled'),
  };
  return triggerFact(policy.trigger, out) === undefined ? null : out;
}

/**
 * What a run does to one subject, or null when no policy is due for it.
 *
 * - A legal hold, an open request (LEGAL item 25: the data is frozen as at receipt) or a restriction
 *   (Art. 18: storage only) leaves the subject untouched under every policy.
 * - The record is destroyed only when no other purpose still needs it (Art. 5(1)(e)): not while any
 *   consent other than the due policies' own is valid (`active_consent`), nor while another erase or
 *   anonymise policy that applies is not yet due (`retained`: the longest period wins).
 * - When erase and anonymise are both due, erase wins (it also keeps the suppression hashes).
 * - A review raises one task per subject and policy, ever; none when the record goes anyway.
 */
export function planSubject(
  subject: SweepSubject,
  policies: CompiledPolicy[],
  facts: BatchFacts,
  dryRun: boolean,
): SubjectPlan | null {
  const due: PolicySnapshot[] = [];
  let retainedByAnother = false;
  for (const p of policies) {
    const f = factsFor(subject, p.snapshot, facts);
    if (!f) continue;
    if (p.isDue(f)) due.push(p.snapshot);
    else if (isDestructive(p.snapshot)) retainedByAnother = true;
  }
  if (!due.length) return null;
  const plan: SubjectPlan = { subjectId: subject.id, action: null, reviews: [], items: [] };

  const frozen: SkipOutcome | null = facts.held.has(subject.id)
    ? 'legal_hold'
    : facts.openRequests.has(subject.id)
      ? 'open_request'
      : subject.status === 'restricted'
        ? 'restricted'
        : null;
  if (frozen) {
    plan.items = due.map((p) => ({ policyKey: p.key, outcome: frozen }));
    return plan;
  }

  const destructive = due.filter(isDestructive);
  if (destructive.length) {
    const own = new Set(destructive.map((p) => p.purpose).filter((k): k is string => k !== null));
    const consents = facts.consents.get(subject.id);
    const liveConsent = [...(consents?.entries() ?? [])].some(([purpose, c]) => c.valid && !own.has(purpose));
    let outcome: ItemOutcome;
    if (liveConsent) outcome = 'active_consent';
    else if (retainedByAnother) outcome = 'retained';
    else {
      plan.action = destructive.some((p) => p.action === 'erase') ? 'erase' : 'anonymise';
      outcome =
        plan.action === 'erase' ? (dryRun ? 'would_erase' : 'erased') : dryRun ? 'would_anonymise' : 'anonymised';
    }
    for (const p of destructive) plan.items.push({ policyKey: p.key, outcome });
  }
  for (const p of due.filter((d) => !isDestructive(d))) {
    let outcome: ItemOutcome;
    if (plan.action) outcome = 'superseded';
    else if (facts.reviewsRaised.has(reviewKey(subject.id, p.key))) outcome = 'review_exists';
    else {
      outcome = dryRun ? 'would_review' : 'review_created';
      if (!dryRun) plan.reviews.push(p.key);
    }
    plan.items.push({ policyKey: p.key, outcome });
  }
  if (dryRun) plan.action = null;
  return plan;
}

export interface Tally {
  run: OutcomeCounts;
  byPolicy: Record<string, OutcomeCounts>;
}

/**
 * Counts a batch's items. Per policy, each item counts once; per run, each subject counts once: processed
 * when anything was done (or would be), else failed, else skipped for its first reason in SKIP_OUTCOMES.
 */
export function tally(items: { subjectId: string; policyKey: string; outcome: ItemOutcome }[]): Tally {
  const out: Tally = { run: emptyCounts(), byPolicy: {} };
  const bySubject = new Map<string, ItemOutcome[]>();
  for (const i of items) {
    bySubject.set(i.subjectId, [...(bySubject.get(i.subjectId) ?? []), i.outcome]);
    count((out.byPolicy[i.policyKey] ??= emptyCounts()), [i.outcome]);
  }
  for (const outcomes of bySubject.values()) count(out.run, outcomes);
  return out;
}

function count(c: OutcomeCounts, outcomes: ItemOutcome[]): void {
  c.matched += 1;
  if (outcomes.some((o) => PROCESSED_OUTCOMES.includes(o))) c.processed += 1;
  else if (outcomes.includes('failed')) c.failed += 1;
  else {
    const reason = SKIP_OUTCOMES.find((s) => outcomes.includes(s));
    if (reason) c.skipped[SKIP_KEY[reason]] += 1;
  }
}

/** Adds `b` into `a`. */
export function addCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  const skipped = { ...a.skipped };
  for (const k of Object.keys(skipped) as (keyof typeof skipped)[]) skipped[k] += b.skipped[k];
  return { matched: a.matched + b.matched, processed: a.processed + b.processed, failed: a.failed + b.failed, skipped };
}
