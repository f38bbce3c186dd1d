import { BreachAuthorityNotification } from './breach-authority-notification.entity';
import { deadlineOf } from './breach-deadline';
import { BreachEvent } from './breach-event.entity';
import { Breach } from './breach.entity';
import type { AuthorityNotificationView, BreachEventView, BreachResponse } from './breaches.responses';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toBreachView(b: Breach, now = new Date()): BreachResponse {
  return {
    id: b.id,
    description: b.description,
    occurredAt: iso(b.occurredAt),
    awareAt: b.awareAt.toISOString(),
    reportedBy: b.reportedBy,
    dataCategories: b.dataCategories,
    subjectCategories: b.subjectCategories,
    systems: b.systems,
    approxSubjects: b.approxSubjects,
    approxRecords: b.approxRecords,
    likelyConsequences: b.likelyConsequences,
    measuresTaken: b.measuresTaken,
    measuresProposed: b.measuresProposed,
    riskAssessment: b.riskAssessment,
    riskReasoning: b.riskReasoning,
    status: b.status,
    containedAt: iso(b.containedAt),
    closedAt: iso(b.closedAt),
    authorityNotifiedAt: iso(b.authorityNotifiedAt),
    deadline: deadlineOf(b, now),
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  };
}

export function toNotificationView(n: BreachAuthorityNotification): AuthorityNotificationView {
  return {
    id: n.id,
    phase: n.phase,
    sentAt: n.sentAt.toISOString(),
    reference: n.reference,
    delayReasons: n.delayReasons,
    late: n.late,
    recordedAt: n.recordedAt.toISOString(),
  };
}

export function toEventView(e: BreachEvent): BreachEventView {
  return {
    seq: String(e.seq),
    type: e.type,
    occurredAt: e.occurredAt.toISOString(),
    actor: { type: e.actorType, id: e.actorId },
    data: e.data,
  };
}
