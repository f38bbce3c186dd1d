import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { purgeInBatches } from '../common/db/purge-in-batches';
import { Env } from '../config/env';
import { JOB_QUEUE, JobHandler, JobName, JobPayloads } from '../jobs';
import { OutboxRepository } from './outbox.repository';

export const OUTBOX_CHANNEL = 'zgoda_outbox';

/**
 * The BullMQ job id of an outbox row. BullMQ refuses custom ids that contain ':' (unless they have exactly
 * three parts, a legacy of repeatable jobs) and ids that parse as integers, so the id never contains ':'
 * and always starts with the job name.
 */
export const outboxJobId = (name: JobName, key: string): string => `${name}/${key.replaceAll(':', '/')}`;

export interface EnqueueOptions {
  /** Deterministic id for work that must happen once per cause (e.g. `task:<id>`); random otherwise. */
  jobId?: string;
  delayMs?: number;
}

@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    private readonly repo: OutboxRepository,
    private readonly env: Env,
  ) {}

  /**
   * Records a job in the caller's transaction. Nothing reaches Redis until the transaction commits and the
   * relay picks the row up, so a rolled-back change never enqueues anything. `pg_notify` is delivered
   * only on commit, which wakes the relay without polling delay.
   */
  async enqueue<N extends JobName>(
    manager: EntityManager,
    name: N,
    payload: JobPayloads[N],
    options: EnqueueOptions = {},
  ): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive)
      throw new Error('OutboxService.enqueue must run inside a transaction');
    const jobId = outboxJobId(name, options.jobId ?? randomUUID());
    await this.repo.insert(manager, {
      queue: JOB_QUEUE[name],
      name,
      payload: payload as never,
      jobId,
      availableAt: options.delayMs ? new Date(Date.now() + options.delayMs) : () => 'now()',
    });
    await this.repo.notify(manager, OUTBOX_CHANNEL);
  }

  /** Called by the worker after a handler succeeded; the reconciler ignores completed rows. */
  async markCompleted(jobId: string): Promise<void> {
    await this.repo.markCompleted(jobId);
  }

  async markDead(jobId: string, error: string): Promise<void> {
    await this.repo.markDead(jobId, error.slice(0, 500));
  }

  async recordError(jobId: string, error: string): Promise<void> {
    await this.repo.recordError(jobId, error.slice(0, 500));
  }

  async stats(): Promise<{ unsent: number; incomplete: number; dead: number; oldestUnsentSeconds: number }> {
    const row = await this.repo.stats();
    return { unsent: row.unsent, incomplete: row.incomplete, dead: row.dead, oldestUnsentSeconds: row.oldest };
  }

  /**
   * Job `maintenance.outbox-purge`: rows finished more than OUTBOX_RETENTION_DAYS ago go (issue 25 item 8: every
   * table that grows has a retention). A deterministic job id is only deduplicated while its row exists, so the
   * window stays far longer than any retry of the request that recorded it (IDEMPOTENCY_TTL_HOURS).
   */
  @JobHandler('maintenance.outbox-purge')
  async purgeFinished(): Promise<{ deleted: number }> {
    const before = new Date(Date.now() - this.env.OUTBOX_RETENTION_DAYS * 86_400_000);
    const deleted = await purgeInBatches((limit) => this.repo.deleteFinished(before, limit));
    if (deleted) this.logger.log({ deleted }, 'finished outbox rows deleted');
    return { deleted };
  }
}
