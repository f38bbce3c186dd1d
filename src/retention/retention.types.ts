import type { RetentionTrigger } from './retention-due';

/** Persisted strings (policies, runs, items, audit data, API): never rename a value. */
export const RETENTION_ACTIONS = ['erase', 'anonymise', 'review'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

/** Actions that destroy Zgoda's record of the subject; `review` only asks a person to look. */
export const DESTRUCTIVE_ACTIONS: readonly RetentionAction[] = ['erase', 'anonymise'];

export const RUN_STATUSES = ['queued', 'running', 'completed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running'];

export const RUN_SOURCES = ['api', 'schedule'] as const;
export type RunSource = (typeof RUN_SOURCES)[number];

/** Why a due subject was left alone, in the order a subject's reason is chosen when several apply. */
export const SKIP_OUTCOMES = [
  'legal_hold',
  'open_request',
  'restricted',
  'active_consent',
  'retained',
  'review_exists',
] as const;
export type SkipOutcome = (typeof SKIP_OUTCOMES)[number];

/** What happened to one subject under one policy in one run (`retention_run_items.outcome`). */
export const ITEM_OUTCOMES = [
  'erased',
  'anonymised',
  'review_created',
  // the subject was erased or anonymised under another policy in the same run: nothing left to review
  'superseded',
  'would_erase',
  'would_anonymise',
  'would_review',
  ...SKIP_OUTCOMES,
  'failed',
] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

export const PROCESSED_OUTCOMES: readonly ItemOutcome[] = [
  'erased',
  'anonymised',
  'review_created',
  'superseded',
  'would_erase',
  'would_anonymise',
  'would_review',
];

export const NOTICE_STATUSES = ['pending', 'sent', 'failed', 'manual'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

export const REVIEW_STATUSES = ['open', 'resolved'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const REVIEW_RESOLUTIONS = ['kept', 'destroyed'] as const;
export type ReviewResolution = (typeof REVIEW_RESOLUTIONS)[number];

/**
 * The rules a run enforces, copied from the policies when the run is created: a run resumed after a
 * crash, or one whose policy is edited meanwhile, applies the same rules to every batch.
 */
export interface PolicySnapshot {
  key: string;
  version: number;
  dataCategory: string | null;
  purpose: string | null;
  system: string | null;
  trigger: RetentionTrigger;
  period: string;
  roundToYearEnd: boolean;
  action: RetentionAction;
}

/** Skip counts in API shape (camelCase), per run and per policy. */
export interface SkipCounts {
  legalHold: number;
  openRequest: number;
  restricted: number;
  activeConsent: number;
  retained: number;
  reviewExists: number;
}

export interface OutcomeCounts {
  matched: number;
  processed: number;
  failed: number;
  skipped: SkipCounts;
}

export interface PolicyReport extends OutcomeCounts {
  category: string;
  action: RetentionAction;
  /**
   * Active data systems that also hold this category or purpose, by key, when the run started. Zgoda
   * destroys its own record only; these systems are told of each erasure (Art. 19, retention notices).
   */
  systemsToInform: string[];
}

export const SKIP_KEY: Record<SkipOutcome, keyof SkipCounts> = {
  legal_hold: 'legalHold',
  open_request: 'openRequest',
  restricted: 'restricted',
  active_consent: 'activeConsent',
  retained: 'retained',
  review_exists: 'reviewExists',
};

export const emptyCounts = (): OutcomeCounts => ({
  matched: 0,
  processed: 0,
  failed: 0,
  skipped: { legalHold: 0, openRequest: 0, restricted: 0, activeConsent: 0, retained: 0, reviewExists: 0 },
});

export const emptyReport = (p: PolicySnapshot, systemsToInform: string[]): PolicyReport => ({
  category: p.dataCategory ?? `purpose:${p.purpose}`,
  action: p.action,
  systemsToInform,
  ...emptyCounts(),
});
