import { SetMetadata } from '@nestjs/common';
import type { JobName } from './job.types';

export const JOB_HANDLER_KEY = 'zgoda:job-handler';

/**
 * Marks a provider method as the handler of a job. Delivery is at least once: every handler must check the
 * database first and do nothing when its work is already done.
 */
export const JobHandler = (name: JobName) => SetMetadata(JOB_HANDLER_KEY, name);
