import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job } from 'bullmq';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { JobDispatcher } from '../jobs/job-dispatcher.service';
import { JobHandler } from '../jobs/job-handler.decorator';
import { QueueRegistry } from '../jobs/queue-registry.service';
import { RETENTION_ZONE } from './retention-due';
import { RetentionRunsService } from './retention-runs.service';

export const SWEEP_SCHEDULER_ID = 'retention-sweep';
export const CONSENT_EXPIRY_SCHEDULER_ID = 'retention-consent-expiry';
// A run with no batch committed for this long lost its job (failed past its retries, Redis flushed):
// the next sweep resumes it instead of waiting for it forever.
const STALLED_RUN_MS = 15 * 60_000;

/**
 * The scheduled sweep (LEGAL item 25: enforcement is scheduled). A BullMQ job scheduler registered by
 * the worker only (STYLE: not `@Cron` in every API replica); every worker upserts the same id, so there
 * is one schedule however many run.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly runs: RetentionRunsService,
    private readonly queues: QueueRegistry,
    private readonly moduleRef: ModuleRef,
    private readonly env: Env,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.isWorker()) return;
    const queue = this.queues.get('retention');
    if (this.env.RETENTION_SWEEP_CRON === 'off') await queue.removeJobScheduler(SWEEP_SCHEDULER_ID);
    else {
      await queue.upsertJobScheduler(
        SWEEP_SCHEDULER_ID,
        { pattern: this.env.RETENTION_SWEEP_CRON, tz: RETENTION_ZONE },
        { name: 'retention.sweep', data: {} },
      );
    }
    if (this.env.RETENTION_CONSENT_EXPIRY_CRON === 'off') await queue.removeJobScheduler(CONSENT_EXPIRY_SCHEDULER_ID);
    else {
      await queue.upsertJobScheduler(
        CONSENT_EXPIRY_SCHEDULER_ID,
        { pattern: this.env.RETENTION_CONSENT_EXPIRY_CRON, tz: RETENTION_ZONE },
        { name: 'retention.consent-expiry', data: {} },
      );
    }
    // A worker that starts may be the one that was killed mid-run: pick its run up now rather than when
    // BullMQ declares the old job stalled.
    await this.runs.resume(null);
  }

  /** One scheduled occurrence: a real run over every active policy, unless one is still going. */
  @JobHandler('retention.sweep')
  async sweep(_payload: Record<string, never>, job: Job): Promise<{ runId?: string | null; skipped?: string }> {
    try {
      const run = await this.runs.start({ dryRun: false, source: 'schedule', sourceKey: job.id ?? undefined });
      return { runId: run?.id ?? null };
    } catch (error) {
      if (!(error instanceof ProblemError) || error.code !== 'run_in_progress') throw error;
      await this.runs.resume(STALLED_RUN_MS);
      return { skipped: 'run_in_progress' };
    }
  }

  private isWorker(): boolean {
    try {
      this.moduleRef.get(JobDispatcher, { strict: false });
      return true;
    } catch {
      return false;
    }
  }
}
