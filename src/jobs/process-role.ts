/**
 * What this process runs: `api` serves HTTP only, `worker` consumes jobs and runs the schedules, `all`
 * does both (ZGODA_ROLE, default `all`; `dist/worker.js` is always `worker`). Injected as PROCESS_ROLE,
 * so a provider asks the root module instead of probing for a worker-only provider.
 */
export type ProcessRole = 'api' | 'worker' | 'all';

export const PROCESS_ROLE = Symbol('PROCESS_ROLE');

export const runsWorker = (role: ProcessRole): boolean => role !== 'api';
