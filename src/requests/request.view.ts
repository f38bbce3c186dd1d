import { RequestTask } from './request-task.entity';
import { waitedSeconds } from './request-transitions.service';
import { RequestVault } from './request-vault.service';
import { DsrRequest } from './request.entity';
import type { RequestResponse, TaskView } from './request-api.responses';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const taskView = (t: RequestTask): TaskView => ({
  id: t.id,
  system: t.systemKey,
  kind: t.systemKind,
  action: t.action,
  status: t.status,
  /** false: the system holds nothing about the person; null: it did not say. */
  found: t.found,
  attempts: t.attempts,
  lastError: t.lastError,
  retainedReason: t.retainedReason,
  retainedUntil: iso(t.retainedUntil),
  /** An erasure: the categories kept under a legal hold (Art. 17(3)), each with its ground and end. */
  retainedCategories: t.retainedCategories,
  completedAt: iso(t.completedAt),
});

/** What staff see of a request; tasks only on the single-request view. */
export function requestView(
  r: DsrRequest,
  vault: RequestVault,
  extra: { tasks?: RequestTask[]; resultAvailable?: boolean } = {},
): RequestResponse {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    resolution: r.resolution,
    resolutionCode: r.resolutionCode,
    resolutionReason: vault.openText(r.id, 'resolution_reason', r.resolutionReasonSealed) ?? r.resolutionCode,
    source: r.source,
    /** `hold_ended`: the erasure this one finishes, now that the hold on what it kept has ended. */
    follows: r.follows,
    subjectId: r.subjectId,
    locale: r.locale,
    receivedAt: r.receivedAt.toISOString(),
    verifiedAt: iso(r.verifiedAt),
    verificationWaitSeconds: r.verifiedAt ? waitedSeconds(r, r.verifiedAt) : null,
    dueAt: r.dueAt.toISOString(),
    extensionMonths: r.extensionMonths,
    extendedDueAt: iso(r.extendedDueAt),
    extensionToldBy: r.extensionToldBy,
    extensionToldAt: iso(r.extensionToldAt),
    // Art. 21(1): null until the controller has assessed an objection to named purposes.
    assessment: r.assessmentOutcome
      ? {
          outcome: r.assessmentOutcome,
          assessedAt: iso(r.assessedAt),
          reasons: vault.openText(r.id, 'assessment_reasons', r.assessmentReasonsSealed),
          toldBy: r.assessmentToldBy,
          toldAt: iso(r.assessmentToldAt),
        }
      : null,
    completedAt: iso(r.completedAt),
    duplicateOf: r.duplicateOf,
    deadlineState: r.deadlineState,
    ...(extra.tasks ? { tasks: extra.tasks.map(taskView) } : {}),
    // Art. 19: recipients named on the subject's purposes that staff tell (the systems are in `tasks`).
    recipients: r.recipients,
    ...(extra.resultAvailable !== undefined ? { resultAvailable: extra.resultAvailable } : {}),
    certificateAvailable: !!r.certificate,
  };
}
