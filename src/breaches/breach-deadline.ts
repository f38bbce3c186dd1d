import { BreachStatus, RiskAssessment } from './breach.entity';

// Art. 33(1): notify the supervisory authority "not later than 72 hours after having become aware of it".
export const NOTIFY_AUTHORITY_WITHIN_HOURS = 72;
// Less than a day left is when the DPO has to act, not plan: the digest and the metrics flag it.
export const AT_RISK_HOURS = 24;

// A Polish DPO reports by calendar month in Poland: an incident at 23:30 UTC on 31 January belongs to February.
export const REPORTING_ZONE = 'Europe/Warsaw';

const HOUR_MS = 3_600_000;

export interface ClockInput {
  awareAt: Date;
  riskAssessment: RiskAssessment | null;
  status: BreachStatus;
  authorityNotifiedAt: Date | null;
}

export interface Deadline {
  notifyAuthorityBy: string;
  /** False once UODO is notified, the breach is assessed as unlikely to result in a risk, or it is closed. */
  running: boolean;
  /** Negative when overdue; null when the clock has stopped. */
  hoursLeft: number | null;
  atRisk: boolean;
  overdue: boolean;
  notifiedAt: string | null;
  notifiedLate: boolean | null;
}

export function notifyAuthorityBy(awareAt: Date): Date {
  return new Date(awareAt.getTime() + NOTIFY_AUTHORITY_WITHIN_HOURS * HOUR_MS);
}

/** A notification sent after the 72 hours must give the reasons for the delay (Art. 33(1), second sentence). */
export function isLateNotification(awareAt: Date, sentAt: Date): boolean {
  return sentAt.getTime() > notifyAuthorityBy(awareAt).getTime();
}

/**
 * The clock runs until the authority is notified. An incident assessed as unlikely to result in a risk
 * needs no notification (Art. 33(1)); an unassessed one is treated as needing it, so the clock runs.
 */
export function isClockRunning(b: ClockInput): boolean {
  return !b.authorityNotifiedAt && b.riskAssessment !== RiskAssessment.None && b.status !== BreachStatus.Closed;
}

export function deadlineOf(b: ClockInput, now: Date): Deadline {
  const by = notifyAuthorityBy(b.awareAt);
  const running = isClockRunning(b);
  const leftMs = by.getTime() - now.getTime();
  const overdue = running && leftMs < 0;
  return {
    notifyAuthorityBy: by.toISOString(),
    running,
    hoursLeft: running ? Math.round((leftMs / HOUR_MS) * 10) / 10 || 0 : null,
    atRisk: running && !overdue && leftMs <= AT_RISK_HOURS * HOUR_MS,
    overdue,
    notifiedAt: b.authorityNotifiedAt?.toISOString() ?? null,
    notifiedLate: b.authorityNotifiedAt ? isLateNotification(b.awareAt, b.authorityNotifiedAt) : null,
  };
}
