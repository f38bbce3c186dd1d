/**
 * The typed catalogue of queues, job names and payloads. Payloads carry ids only: Redis keeps failed
 * jobs, and it must never become a second copy of personal data.
 */
export const QUEUES = ['notifications', 'webhooks', 'requests', 'retention', 'maintenance'] as const;
export type QueueName = (typeof QUEUES)[number];

export interface JobPayloads {
  'notifications.send-email': { emailId: string };
  'webhooks.consent-changed': { subscriptionId: string; eventId: string };
  'notifications.breach-notices': { breachId: string };
  'maintenance.breach-digest': Record<string, never>;
  /** One batch of a retention run; `batch` is the batch it was enqueued for (a stale copy is a no-op). */
  'retention.run': { runId: string; batch?: number };
  'retention.sweep': Record<string, never>;
  /** Tells one data system of a retention erasure; job id `notice:<noticeId>`. */
  'retention.notify-system': { noticeId: string };
  /** Records and audits consent grants whose validity period ran out. */
  'retention.consent-expiry': Record<string, never>;
  /** One data system's part of a data-subject request; job id `task:<taskId>` (`-<generation>` on a retry). */
  'requests.run-task': { taskId: string };
  /** Builds the answer and completes the request once every task is done or retained. */
  'requests.finalise': { requestId: string };
  'maintenance.request-sweep': Record<string, never>;
  'maintenance.request-digest': Record<string, never>;
  /** Deletes access/portability packages older than REQUEST_DOWNLOAD_TTL_DAYS (the audit stays). */
  'maintenance.request-result-purge': Record<string, never>;
  /** Deletes recorded consent decisions older than DECISION_LOG_RETENTION_DAYS. */
  'maintenance.decision-log-purge': Record<string, never>;
  /** Deletes change-feed rows older than CHANGES_RETENTION_DAYS. */
  'maintenance.changes-purge': Record<string, never>;
  /** Deletes Idempotency-Key records older than IDEMPOTENCY_TTL_HOURS (hourly). */
  'maintenance.idempotency-purge': Record<string, never>;
  /** Deletes finished outbox rows older than OUTBOX_RETENTION_DAYS. */
  'maintenance.outbox-purge': Record<string, never>;
  /** Runs every table's registered retention rule (Housekeeping), daily at HOUSEKEEPING_CRON. */
  'maintenance.housekeeping': Record<string, never>;
  /** VACUUMs the tables erasures left dead row versions in (keys, ciphertexts); one per SHRED_VACUUM_DELAY_SECONDS. */
  'subjects.vacuum-shredded': Record<string, never>;
  /** Appends committed erasures to the journal outside the database (ERASURE_JOURNAL_DIR); ids and time only. */
  'subjects.journal-erasures': { erasedAt: string; erased: string[]; anonymised: string[] };
  /** Delivers change-feed webhooks to the subscriptions with `types`, in feed order. */
  'webhooks.feed-dispatch': Record<string, never>;
  /** Clears the stored 16th birthday of subjects who reached it and announces it (daily). */
  'subjects.came-of-age': Record<string, never>;
  /** Works off one consent import's rows; job id `import:<importId>`. */
  'imports.run': { importId: string };
  /** Starts the work of a request verified elsewhere (OpenGDPR); job id `start:<requestId>`. */
  'requests.start': { requestId: string };
  /** The first verification link of a portal request, for a held address; job id `<requestId>`. */
  'requests.verification-mail': { requestId: string };
  /** The portal's "send the link again"; `null` when no request of the address waits (the same work either way). */
  'requests.resend-verification': { requestId: string | null };
  /** One OpenGDPR status call-back to one controller URL; job id `opengdpr:<callbackId>`. */
  'webhooks.opengdpr-callback': { callbackId: string };
  /** The portal's "e-mail me my preference centre link"; `null` when no one holds the address (the same work). */
  'consent.preferences-link': { subjectId: string | null; locale: 'pl' | 'en' };
}

export type JobName = keyof JobPayloads;

/** Which queue each job runs on. `satisfies` makes a job without a queue a compile error. */
export const JOB_QUEUE = {
  'notifications.send-email': 'notifications',
  'webhooks.consent-changed': 'webhooks',
  'notifications.breach-notices': 'notifications',
  'maintenance.breach-digest': 'maintenance',
  'retention.run': 'retention',
  'retention.sweep': 'retention',
  'retention.notify-system': 'webhooks',
  'retention.consent-expiry': 'retention',
  'requests.run-task': 'requests',
  'requests.finalise': 'requests',
  'maintenance.request-sweep': 'maintenance',
  'maintenance.request-digest': 'maintenance',
  'maintenance.request-result-purge': 'maintenance',
  'maintenance.decision-log-purge': 'maintenance',
  'maintenance.changes-purge': 'maintenance',
  'maintenance.idempotency-purge': 'maintenance',
  'maintenance.outbox-purge': 'maintenance',
  'maintenance.housekeeping': 'maintenance',
  'subjects.vacuum-shredded': 'maintenance',
  'subjects.journal-erasures': 'maintenance',
  'webhooks.feed-dispatch': 'webhooks',
  'subjects.came-of-age': 'maintenance',
  'imports.run': 'retention',
  'requests.start': 'requests',
  'requests.verification-mail': 'notifications',
  'requests.resend-verification': 'notifications',
  'webhooks.opengdpr-callback': 'webhooks',
  'consent.preferences-link': 'notifications',
} as const satisfies Record<JobName, QueueName>;

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];

/** Retry and retention, declared once for every queue. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential' as const, delay: 2000 },
  // Completed jobs stay a day so a re-delivered outbox row with the same job id is deduplicated by BullMQ.
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};
