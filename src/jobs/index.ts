// The public surface of the jobs module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { Housekeeping, HousekeepingRule } from './housekeeping.service';
export { JOB_HANDLER_KEY, JobHandler } from './job-handler.decorator';
export { JOB_NAMES, JOB_QUEUE, JobName, JobPayloads, QUEUES, QueueName } from './job.types';
export { JobSchedules } from './job-schedules.service';
export { JobsModule } from './jobs.module';
export { PROCESS_ROLE, ProcessRole, runsWorker } from './process-role';
export { QueueRegistry } from './queue-registry.service';
