import type { RetainedCategory } from '../request-task.entity';
/** What a data system (or a person for a manual system) answers for one task. */
export interface TaskOutcome {
  status: 'done' | 'retained' | 'failed' | 'waiting_callback';
  /** An access copy: `{ <category>: row | rows }`; personal data, sealed at rest. */
  data?: unknown;
  /** Why data was kept (Art. 17(3)) or why the task failed: a code or a short phrase, no personal data. */
  reason?: string | null;
  retainedUntil?: Date | null;
  /** False: the system holds nothing about the person (nothing to copy, erase or change). */
  found?: boolean | null;
}

/** A failure to reach or understand a system; `permanent` ones are not retried. Never holds personal data. */
export class TaskCallError extends Error {
  constructor(
    readonly code: string,
    readonly permanent: boolean,
  ) {
    super(code);
    this.name = 'TaskCallError';
  }
}

const REASON_MAX = 500;

/**
 * Reads `{ status, data?, reason?, retainedUntil? }` from a system's answer (a 200 body or a call-back).
 * Anything else is a permanent error: a system that does not speak the contract will not learn by retries.
 */
export function parseOutcome(body: unknown): TaskOutcome {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TaskCallError('answer_not_an_object', true);
  }
  const b = body as Record<string, unknown>;
  if (b.status !== 'done' && b.status !== 'failed' && b.status !== 'retained') {
    throw new TaskCallError('answer_without_status', true);
  }
  if (b.reason !== undefined && b.reason !== null && typeof b.reason !== 'string') {
    throw new TaskCallError('answer_reason_not_text', true);
  }
  let retainedUntil: Date | null = null;
  if (b.retainedUntil !== undefined && b.retainedUntil !== null) {
    retainedUntil = typeof b.retainedUntil === 'string' ? new Date(b.retainedUntil) : new Date(NaN);
    if (Number.isNaN(retainedUntil.getTime())) throw new TaskCallError('answer_retained_until_not_a_date', true);
  }
  if (b.status === 'retained' && !b.reason) throw new TaskCallError('retained_without_reason', true);
  if (b.found !== undefined && b.found !== null && typeof b.found !== 'boolean') {
    throw new TaskCallError('answer_found_not_boolean', true);
  }
  // Nothing found cannot leave data behind: a system saying both is not speaking the contract.
  if (b.found === false && b.status === 'retained') throw new TaskCallError('retained_but_not_found', true);
  return {
    status: b.status,
    data: b.data,
    reason: typeof b.reason === 'string' ? b.reason.slice(0, REASON_MAX) : null,
    retainedUntil,
    found: typeof b.found === 'boolean' ? b.found : null,
  };
}

/**
 * Issue 13 item 3: an erasure told to keep categories under a legal hold, and answered "done" (the rest is
 * erased), has retained those categories: the task says so, with the hold's end (null when any is open-ended).
 * A system's own "retained" answer, "not found" and failures stand as given.
 */
export function heldBack(kept: readonly RetainedCategory[] | null, outcome: TaskOutcome): TaskOutcome {
  if (!kept?.length || outcome.status !== 'done' || outcome.found === false) return outcome;
  const until = kept.some((k) => k.until === null)
    ? null
    : kept
        .map((k) => k.until!)
        .sort()
        .at(-1)!;
  return { ...outcome, status: 'retained', reason: 'legal_hold', retainedUntil: until ? new Date(until) : null };
}
