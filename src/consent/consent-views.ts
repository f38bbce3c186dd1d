import { ConsentEvent } from './consent-event.entity';
import type { HistoryEventView } from './consent-records.responses';

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** What the API answers for one recorded decision. */
export const consentEventView = (e: ConsentEvent) => ({
  id: e.id,
  subjectId: e.subjectId,
  purpose: e.purposeKey,
  channel: e.channel,
  version: e.version,
  locale: e.locale,
  sha256: e.textSha256,
  decision: e.decision,
  reason: e.reason,
  pending: e.pending,
  occurredAt: e.occurredAt.toISOString(),
  recordedAt: e.recordedAt.toISOString(),
  expiresAt: iso(e.expiresAt),
  receipt: e.receipt,
});

export const historyView = (e: ConsentEvent): HistoryEventView => ({
  id: e.id,
  purpose: e.purposeKey,
  channel: e.channel,
  decision: e.decision,
  reason: e.reason,
  version: e.version,
  locale: e.locale,
  sha256: e.textSha256,
  pending: e.pending,
  confirms: e.confirmsEventId,
  occurredAt: e.occurredAt.toISOString(),
  recordedAt: e.recordedAt.toISOString(),
  expiresAt: iso(e.expiresAt),
  source: { method: e.sourceMethod, location: e.sourceLocation, staffId: e.sourceStaffId },
  expressedBy: e.expressedBy,
  gpc: e.gpc,
  suppressed: e.suppressed,
  ...(e.importId ? { import: { id: e.importId, row: e.importRow } } : {}),
});
