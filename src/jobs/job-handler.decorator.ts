import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName, JobPayloads } from './job.types';

export const JOB_HANDLER_KEY = 'zgoda:job-handler';

/** What a handler of job N looks like: it receives that job's payload (JobPayloads[N]) and the BullMQ job. */
export type JobHandlerMethod<N extends JobName> = (
  payload: JobPayloads[N],
  job: Job<JobPayloads[N]>,
) => Promise<unknown>;

/**
 * Marks a provider method as the handler of a job. The name is given once: the method's payload type is
 * checked against JobPayloads[name] at compile time, and JobDispatcher refuses to start on a name with no
 * handler. Delivery is at least once: every handler must check the database first and do nothing when
 * its work is already done.
 */
export function JobHandler<N extends JobName>(name: N) {
  // Only `value` is typed: TypedPropertyDescriptor's setter would make the check invariant, and refuse a
  // handler that ignores the job argument or the payload.
  return <M extends JobHandlerMethod<N>>(target: object, key: string | symbol, descriptor: { value?: M }): void => {
    SetMetadata(JOB_HANDLER_KEY, name)(target, key, descriptor as PropertyDescriptor);
  };
}
