import type { RequestStatus, Resolution } from './request.types';

/**
 * The one table of allowed status changes. `completed` carries a resolution; which resolutions may be
 * reached from where is part of the table: a request nobody worked on can only end `rejected`, and a
 * request whose systems were asked can only end with what they answered (fulfilled, partially).
 */
type Target = RequestStatus | `completed:${Resolution}`;

const PRE_WORK_EXITS: Target[] = ['completed:rejected', 'cancelled'];
// Work that reached recipients cannot be called back, so it is not cancelled or rejected; it ends with
// the recipients' answers (Art. 19: they were told) or fails and is retried or rejected by a person.
const WORK_EXITS: Target[] = ['completed:fulfilled', 'completed:partially_fulfilled', 'failed'];

export const TRANSITIONS: Readonly<Record<RequestStatus, readonly Target[]>> = {
  received: ['awaiting_verification', 'verified', ...PRE_WORK_EXITS],
  awaiting_verification: ['verified', ...PRE_WORK_EXITS],
  verified: ['in_progress', ...PRE_WORK_EXITS],
  in_progress: ['awaiting_recipients', ...WORK_EXITS],
  awaiting_recipients: ['in_progress', ...WORK_EXITS],
  failed: ['in_progress', ...PRE_WORK_EXITS],
  completed: [],
  cancelled: [],
};

export const TERMINAL_STATUSES: readonly RequestStatus[] = ['completed', 'cancelled'];
/** Open: the legal clock runs and a second request of the same type is a duplicate of it. */
export const OPEN_STATUSES: readonly RequestStatus[] = (Object.keys(TRANSITIONS) as RequestStatus[]).filter(
  (s) => !TERMINAL_STATUSES.includes(s),
);
/** Not yet verified or worked on: an OpenGDPR controller may still cancel it. */
export const PENDING_STATUSES: readonly RequestStatus[] = ['received', 'awaiting_verification', 'verified'];

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

export function checkTransition(
  from: RequestStatus,
  to: RequestStatus,
  resolution?: Resolution | null,
): TransitionCheck {
  if (to === 'completed' && !resolution) return { ok: false, reason: 'completing a request needs a resolution' };
  if (to !== 'completed' && resolution) return { ok: false, reason: `only a completed request has a resolution` };
  const target: Target = to === 'completed' ? `completed:${resolution!}` : to;
  if (!TRANSITIONS[from].includes(target)) {
    return { ok: false, reason: `a request that is ${from} cannot become ${target.replace(':', ' ')}` };
  }
  return { ok: true };
}

export const isOpen = (status: RequestStatus) => OPEN_STATUSES.includes(status);
