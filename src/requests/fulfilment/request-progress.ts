import type { RequestTask } from '../request-task.entity';
import type { RequestStatus } from '../request.types';

export type Progress =
  | { next: 'finalise' }
  | { next: 'status'; status: Extract<RequestStatus, 'in_progress' | 'awaiting_recipients' | 'failed'> }
  | { next: 'none' };

/** A task only a person or a recipient's call-back can move on. */
const waitingOnOthers = (t: Pick<RequestTask, 'status' | 'systemKind' | 'systemKey'>) =>
  t.status === 'waiting_callback' || (t.status === 'pending' && isManual(t));

export const isManual = (t: Pick<RequestTask, 'systemKind' | 'systemKey'>) =>
  t.systemKind === 'manual' || (t.systemKind === 'internal' && t.systemKey !== 'zgoda');

/**
 * Where a request in work stands, from its tasks alone (pure, so the rules are tested without a
 * database). A request completes only when every task is done or retained; a failed task fails the
 * request once nothing else can still move, and failure is never reported as success.
 */
export function progressOf(
  status: RequestStatus,
  tasks: Pick<RequestTask, 'status' | 'systemKind' | 'systemKey'>[],
): Progress {
  if (status !== 'in_progress' && status !== 'awaiting_recipients') return { next: 'none' };
  if (tasks.length && tasks.every((t) => t.status === 'done' || t.status === 'retained')) return { next: 'finalise' };
  const unsettled = tasks.filter((t) => !['done', 'retained', 'failed'].includes(t.status));
  const moving = unsettled.filter((t) => !waitingOnOthers(t));
  let target: 'in_progress' | 'awaiting_recipients' | 'failed';
  if (tasks.some((t) => t.status === 'failed')) {
    // Work still running may yet succeed; the request fails when only waiting is left.
    target = moving.length ? 'in_progress' : 'failed';
  } else {
    target = moving.length ? 'in_progress' : 'awaiting_recipients';
  }
  return target === status ? { next: 'none' } : { next: 'status', status: target };
}
