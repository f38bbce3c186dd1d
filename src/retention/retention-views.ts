import { describeRetention } from './retention-due';
import type { PolicyVersionSnapshot, RetentionPolicyVersion } from './retention-policy-version.entity';
import type { RetentionPolicy } from './retention-policy.entity';
import type { RetentionReviewTask } from './retention-review-task.entity';
import type { RetentionRunItem } from './retention-run-item.entity';
import type { RetentionRun } from './retention-run.entity';
import type { RetentionSystemNotice } from './retention-system-notice.entity';
import type { OutcomeCounts } from './retention.types';
import type {
  NoticeResponse,
  PolicyResponse,
  PolicyVersionResponse,
  ReviewResponse,
  RunItemView,
  RunResponse,
} from './retention.responses';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const policySnapshotOf = (p: RetentionPolicy): PolicyVersionSnapshot => ({
  key: p.key,
  dataCategory: p.dataCategory,
  purpose: p.purposeKey,
  system: p.systemKey,
  trigger: p.trigger,
  period: p.period,
  roundToYearEnd: p.roundToYearEnd,
  action: p.action,
  legalBasis: p.legalBasis,
  owner: p.owner,
  active: p.active,
});

export const policyView = (p: RetentionPolicy): PolicyResponse => ({
  ...policySnapshotOf(p),
  version: p.version,
  // Art. 30(1)(f) in words, as the register prints it.
  description: { pl: describeRetention(p, 'pl'), en: describeRetention(p, 'en') },
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export const policyVersionView = (v: RetentionPolicyVersion): PolicyVersionResponse => ({
  version: v.version,
  changedFields: v.changedFields,
  changedBy: v.changedBy,
  createdAt: v.createdAt.toISOString(),
  policy: v.snapshot,
});

/** A run's skip counters, by reason, as runs and batch outcomes report them. */
export const skippedOf = (r: RetentionRun): OutcomeCounts['skipped'] => ({
  legalHold: r.skippedLegalHold,
  openRequest: r.skippedOpenRequest,
  restricted: r.skippedRestricted,
  activeConsent: r.skippedActiveConsent,
  retained: r.skippedRetained,
  reviewExists: r.skippedReviewExists,
});

export const runView = (r: RetentionRun): RunResponse => ({
  id: r.id,
  status: r.status,
  dryRun: r.dryRun,
  policy: r.policyKey,
  source: r.source,
  asOf: r.asOf.toISOString(),
  policies: r.policies.map((p) => ({ key: p.key, version: p.version })),
  batches: r.batches,
  scanned: r.scanned,
  matched: r.matched,
  processed: r.processed,
  failed: r.failed,
  skipped: skippedOf(r),
  byPolicy: r.byPolicy,
  byCategory: byCategory(r),
  createdAt: r.createdAt.toISOString(),
  startedAt: iso(r.startedAt),
  finishedAt: iso(r.finishedAt),
});

function byCategory(r: RetentionRun): Record<string, { matched: number; processed: number; failed: number }> {
  const out: Record<string, { matched: number; processed: number; failed: number }> = {};
  for (const report of Object.values(r.byPolicy)) {
    const c = (out[report.category] ??= { matched: 0, processed: 0, failed: 0 });
    c.matched += report.matched;
    c.processed += report.processed;
    c.failed += report.failed;
  }
  return out;
}

/** One affected subject under one policy: ids and codes, never personal data. */
export const itemView = (run: RetentionRun) => {
  const policies = new Map(run.policies.map((p) => [p.key, p]));
  return (i: RetentionRunItem): RunItemView => {
    const p = policies.get(i.policyKey);
    return {
      subjectId: i.subjectId,
      policy: i.policyKey,
      category: p?.dataCategory ?? null,
      purpose: p?.purpose ?? null,
      action: p?.action ?? null,
      outcome: i.outcome,
      batch: i.batch,
    };
  };
};

export const reviewView = (t: RetentionReviewTask): ReviewResponse => ({
  id: t.id,
  subjectId: t.subjectId,
  policy: t.policyKey,
  policyVersion: t.policyVersion,
  runId: t.runId,
  dueAt: t.dueAt.toISOString(),
  status: t.status,
  resolution: t.resolution,
  createdAt: t.createdAt.toISOString(),
  resolvedAt: iso(t.resolvedAt),
  resolvedBy: t.resolvedBy,
});

/** A data system told of a retention erasure: ids and codes; the identifiers sent are never shown. */
export const noticeView = (n: RetentionSystemNotice): NoticeResponse => ({
  id: n.id,
  subjectId: n.subjectId,
  system: n.systemKey,
  systemKind: n.systemKind,
  policy: n.policyKey,
  action: n.action,
  status: n.status,
  attempts: n.attempts,
  lastError: n.lastError,
  createdAt: n.createdAt.toISOString(),
  sentAt: iso(n.sentAt),
});
