/** Persisted strings (requests, tasks, audit data, API): never rename a value. */
export const REQUEST_TYPES = ['access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATUSES = [
  'received',
  'awaiting_verification',
  'verified',
  'in_progress',
  'awaiting_recipients',
  'completed',
  'cancelled',
  'failed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const RESOLUTIONS = ['fulfilled', 'partially_fulfilled', 'rejected'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** Where a request came in: staff or a client system (API), the public portal, an OpenGDPR controller. */
// `hold_ended`: Zgoda itself, finishing an erasure a legal hold held back (Art. 17(3)).
export const REQUEST_SOURCES = ['api', 'portal', 'opengdpr', 'hold_ended'] as const;
export type RequestSource = (typeof REQUEST_SOURCES)[number];

export const TASK_STATUSES = ['pending', 'running', 'waiting_callback', 'done', 'failed', 'retained'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A settled task no longer changes: a late callback for it is ignored. */
export const SETTLED_TASK_STATUSES: readonly TaskStatus[] = ['done', 'retained', 'failed'];

/**
 * What a data system is asked to do (API.md "Data systems"); `objection` is our extension for Art. 21, and
 * `portability` (Art. 20) asks only for the data in its scope (PORTABILITY_SCOPE), not an access copy.
 */
export const TASK_ACTIONS = ['access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

export const TASK_ACTION_OF: Record<RequestType, TaskAction> = {
  access: 'access',
  portability: 'portability',
  erasure: 'erasure',
  rectification: 'rectification',
  restriction: 'restriction',
  objection: 'objection',
};

/**
 * Art. 20(1): data the subject provided, processed on consent (Art. 6(1)(a), 9(2)(a)) or a contract
 * (Art. 6(1)(b)), by automated means. Sent to data systems with a portability task.
 */
export const PORTABILITY_SCOPE = {
  providedBySubject: true,
  legalBases: ['consent', 'contract'],
  automatedMeansOnly: true,
} as const;

/** Stable codes for `resolutionCode` / `resolutionReason` when Zgoda, not a person, ends a request. */
export const REASON_CODES = {
  identityNotVerified: 'identity_not_verified',
  duplicate: 'duplicate',
  rejectedByStaff: 'rejected_by_staff',
  /** Fulfilled, and every system said it holds nothing about the person (no one matched the identities). */
  noDataFound: 'no_data_found',
} as const;

export type Locale = 'pl' | 'en';

/** Art. 19: a recipient named on a purpose, to be told by staff; `toldAt` null until they were. */
export interface NamedRecipient {
  name: string;
  toldAt: string | null;
  toldBy: string | null;
}

/** Art. 19 applies to rectification (Art. 16), erasure (Art. 17(1)) and restriction (Art. 18). */
export const ART19_TYPES: readonly RequestType[] = ['rectification', 'erasure', 'restriction'];

/** Art. 21(1): the objection stands, or compelling legitimate grounds override it and processing resumes. */
export const OBJECTION_OUTCOMES = ['upheld', 'compelling_grounds'] as const;
export type ObjectionOutcome = (typeof OBJECTION_OUTCOMES)[number];
