import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ProblemError } from '../common/problem/problem.error';
import { JobHandler } from '../jobs';
import type { JobPayloads } from '../jobs';
import { PROCESS_ROLE, ProcessRole, runsWorker } from '../jobs';
import { RetentionRunsService } from './retention-runs.service';

// A run with no batch committed for this long lost its job (failed past its retries, Redis flushed):
// the next sweep resumes it instead of waiting for it forever.
const STALLED_RUN_MS = 15 * 60_000;

/**
 * The scheduled sweep (LEGAL item 25: enforcement is scheduled). Its job scheduler (RETENTION_SWEEP_CRON)
 * is in the registry in src/jobs/schedules.ts, upserted by every worker under one id.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly runs: RetentionRunsService,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!runsWorker(this.role)) return;
    // A worker that starts may be the one that was killed mid-run: pick its run up now rather than when
    // BullMQ declares the old job stalled.
    await this.runs.resume(null);
  }

  /** One scheduled occurrence: a real run over every active policy, unless one is still going. */
  @JobHandler('retention.sweep')
  async sweep(
    _payload: JobPayloads['retention.sweep'],
    job: Job,
  ): Promise<{ runId?: string | null; skipped?: string }> {
    try {
      const run = await this.runs.start({ dryRun: false, source: 'schedule', sourceKey: job.id ?? undefined });
      return { runId: run?.id ?? null };
    } catch (error) {
      if (!(error instanceof ProblemError) || error.code !== 'run_in_progress') throw error;
      await this.runs.resume(STALLED_RUN_MS);
      return { skipped: 'run_in_progress' };
    }
  }
}
