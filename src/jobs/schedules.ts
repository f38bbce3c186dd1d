import type { Env } from '../config/env';
import type { JobName, JobPayloads } from './job.types';

/** The zone of every schedule a person reads as a wall-clock time (the DPO's 7 a.m., the 3 a.m. sweep). */
export const SCHEDULE_ZONE = 'Europe/Warsaw';

// At the top of every hour; no zone, since an hour boundary is the same hour in Warsaw and in UTC.
export const BREACH_DIGEST_CRON = '0 * * * *';

export type ScheduleRepeat = { pattern: string; tz?: string } | { every: number };

export interface Schedule<N extends JobName = JobName> {
  /** The BullMQ job scheduler id. Every worker upserts the same id: one schedule however many workers run. */
  id: string;
  name: N;
  /** `off` removes a scheduler an earlier start registered (the *_CRON=off settings). */
  repeat: ScheduleRepeat | 'off';
  payload: JobPayloads[N];
}

// Checks each entry's payload against its own job name, then widens it for the list.
const schedule = <N extends JobName>(s: Schedule<N>): Schedule => s;

const cronOrOff = (pattern: string): ScheduleRepeat | 'off' =>
  pattern === 'off' ? 'off' : { pattern, tz: SCHEDULE_ZONE };

/**
 * Every repeatable job, in one place. Upserted by JobSchedules when the process role includes the worker
 * (STYLE: BullMQ job schedulers, not `@Cron` in every API replica).
 */
export function schedules(env: Env): Schedule[] {
  return [
    schedule({
      id: 'maintenance.breach-digest',
      name: 'maintenance.breach-digest',
      repeat: { pattern: BREACH_DIGEST_CRON },
      payload: {},
    }),
    // LEGAL item 25: retention enforcement is scheduled.
    schedule({
      id: 'retention-sweep',
      name: 'retention.sweep',
      repeat: cronOrOff(env.RETENTION_SWEEP_CRON),
      payload: {},
    }),
    schedule({
      id: 'retention-consent-expiry',
      name: 'retention.consent-expiry',
      repeat: cronOrOff(env.RETENTION_CONSENT_EXPIRY_CRON),
      payload: {},
    }),
    schedule({
      id: 'maintenance.request-sweep',
      name: 'maintenance.request-sweep',
      repeat: { every: env.REQUEST_SWEEP_INTERVAL_MS },
      payload: {},
    }),
    schedule({
      id: 'maintenance.request-digest',
      name: 'maintenance.request-digest',
      repeat: { pattern: env.REQUEST_DIGEST_CRON, tz: SCHEDULE_ZONE },
      payload: {},
    }),
    // LEGAL item 22: a package whose download link has expired has no purpose left.
    schedule({
      id: 'maintenance.request-result-purge',
      name: 'maintenance.request-result-purge',
      repeat: cronOrOff(env.REQUEST_RESULT_PURGE_CRON),
      payload: {},
    }),
    schedule({
      id: 'maintenance.decision-log-purge',
      name: 'maintenance.decision-log-purge',
      repeat: cronOrOff(env.DECISION_LOG_PURGE_CRON),
      payload: {},
    }),
    schedule({
      id: 'maintenance.changes-purge',
      name: 'maintenance.changes-purge',
      repeat: cronOrOff(env.CHANGES_PURGE_CRON),
      payload: {},
    }),
    // Issue 25 item 8: every table that grows has a retention.
    schedule({
      id: 'maintenance.idempotency-purge',
      name: 'maintenance.idempotency-purge',
      repeat: { pattern: '20 * * * *' },
      payload: {},
    }),
    schedule({
      id: 'maintenance.outbox-purge',
      name: 'maintenance.outbox-purge',
      repeat: cronOrOff(env.OUTBOX_PURGE_CRON),
      payload: {},
    }),
    schedule({
      id: 'maintenance.housekeeping',
      name: 'maintenance.housekeeping',
      repeat: cronOrOff(env.HOUSEKEEPING_CRON),
      payload: {},
    }),
    schedule({
      id: 'webhooks.feed-dispatch',
      name: 'webhooks.feed-dispatch',
      repeat: { every: env.CHANGES_WEBHOOK_INTERVAL_MS },
      payload: {},
    }),
    // Just after midnight UTC, the boundary the decision's `todayUtc` uses.
    schedule({
      id: 'subjects.came-of-age',
      name: 'subjects.came-of-age',
      repeat: { pattern: '5 0 * * *' },
      payload: {},
    }),
  ];
}
