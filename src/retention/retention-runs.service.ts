import { Env } from '../config/env';
import { Housekeeping } from '../jobs';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { Clock } from '../common/clock/clock';
import { ProblemError } from '../common/problem/problem.error';
import { OutboxService } from '../outbox';
import { SystemsService } from '../systems';
import { currentActor } from './current-actor';
import { RetentionPoliciesRepository } from './retention-policies.repository';
import { ZGODA_SYSTEM } from './retention-policy-rules';
import { RetentionPolicy } from './retention-policy.entity';
import { RetentionRunItem } from './retention-run-item.entity';
import { RetentionRun } from './retention-run.entity';
import { RetentionRunsRepository } from './retention-runs.repository';
import { emptyReport, ItemOutcome, PolicyReport, PolicySnapshot, RunSource } from './retention.types';

export interface StartRunInput {
  dryRun: boolean;
  policy?: string;
  source: RunSource;
  /** The scheduler occurrence (job id) for scheduled runs. */
  sourceKey?: string;
}

@Injectable()
export class RetentionRunsService {
  private readonly logger = new Logger(RetentionRunsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RetentionRunsRepository,
    private readonly policies: RetentionPoliciesRepository,
    private readonly systems: SystemsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly env: Env,
    housekeeping: Housekeeping,
  ) {
    housekeeping.register({
      table: 'retention_run_items',
      purge: (limit) => this.runs.deleteItemsOfRunsFinishedBefore(this.env.RETENTION_RUN_ITEMS_DAYS, limit),
    });
  }

  /**
   * Creates a run over the policies as they are now and enqueues its first batch. One run at a time
   * (LEGAL item 25): 409 `run_in_progress` while another is queued or running. A scheduled occurrence
   * delivered twice starts one run; the second delivery returns null.
   */
  async start(input: StartRunInput): Promise<RetentionRun | null> {
    const id = randomUUID();
    const created = await this.dataSource.transaction(async (m) => {
      await this.runs.lockRunCreation(m);
      if (input.sourceKey && (await this.runs.findBySourceKey(m, input.sourceKey))) return false;
      const active = await this.runs.findActive(m);
      if (active) {
        throw new ProblemError('run_in_progress', 'A retention run is already in progress.', { runId: active.id });
      }
      const policies = await this.selectPolicies(input);
      const snapshots = policies.map(snapshotOf);
      const now = new Date();
      await this.runs.insertRun(m, {
        id,
        status: 'queued',
        dryRun: input.dryRun,
        policyKey: input.policy ?? null,
        source: input.source,
        sourceKey: input.sourceKey ?? null,
        requestedBy: currentActor(),
        asOf: this.clock.now(),
        policies: snapshots,
        byPolicy: await this.initialReports(snapshots),
        createdAt: now,
        updatedAt: now,
      });
      await this.audit.append(m, {
        action: 'retention.run_requested',
        targetType: 'retention_run',
        targetId: id,
        data: {
          dryRun: input.dryRun,
          source: input.source,
          policies: snapshots.map((p) => ({ key: p.key, version: p.version })),
        },
      });
      await this.outbox.enqueue(m, 'retention.run', { runId: id, batch: 0 }, { jobId: `${id}:0` });
      return true;
    });
    return created ? this.get(id) : null;
  }

  async get(id: string): Promise<RetentionRun> {
    const run = await this.runs.find(id);
    if (!run) throw new ProblemError('not_found', 'No retention run with this id.');
    return run;
  }

  list(before: { createdAt: string; id: string } | undefined, limit: number): Promise<RetentionRun[]> {
    return this.runs.list(before, limit);
  }

  items(
    runId: string,
    after: { subjectId: string; policyKey: string } | undefined,
    limit: number,
    outcomes?: ItemOutcome[],
  ): Promise<RetentionRunItem[]> {
    return this.runs.items(runId, after, limit, outcomes);
  }

  /** Stops a run at its next batch (what is done stays done); frees the way for another run. */
  async cancel(id: string): Promise<RetentionRun> {
    await this.dataSource.transaction(async (m) => {
      const run = await this.runs.lock(m, id);
      if (!run) throw new ProblemError('not_found', 'No retention run with this id.');
      if (run.status !== 'queued' && run.status !== 'running') {
        throw new ProblemError('invalid_transition', `A ${run.status} run cannot be cancelled.`);
      }
      await this.runs.update(m, id, { status: 'cancelled', finishedAt: new Date() });
      await this.audit.append(m, {
        action: 'retention.run_cancelled',
        targetType: 'retention_run',
        targetId: id,
        data: { batches: run.batches },
      });
    });
    return this.get(id);
  }

  /**
   * Enqueues the next batch of active runs again: after a worker was killed its job sits in Redis until
   * BullMQ declares it stalled; a fresh job resumes at once. The batch number makes the late original a
   * no-op. `stalledForMs`: only runs with no committed batch for that long (null: all).
   */
  async resume(stalledForMs: number | null): Promise<string[]> {
    const stalledBefore = stalledForMs === null ? null : new Date(Date.now() - stalledForMs);
    const runs = await this.runs.activeRunIds(stalledBefore);
    for (const run of runs) {
      await this.dataSource.transaction((m) =>
        this.outbox.enqueue(
          m,
          'retention.run',
          { runId: run.id, batch: run.batches },
          // Exactly one ':' of our own: the outbox prefixes the job name with another, and BullMQ refuses an
          // id with ':' in it unless it has exactly three parts.
          { jobId: `${run.id}:${run.batches}-resume-${randomUUID()}` },
        ),
      );
    }
    if (runs.length) this.logger.log({ runs: runs.map((r) => r.id) }, 'retention runs resumed');
    return runs.map((r) => r.id);
  }

  private async selectPolicies(input: StartRunInput): Promise<RetentionPolicy[]> {
    if (!input.policy) return this.policies.listActive();
    const policy = await this.policies.findByKey(input.policy);
    if (!policy) throw new ProblemError('unknown_policy', 'No retention policy with this key.');
    // A dry run may preview a policy before it is switched on; enforcing one that is off is refused.
    if (!policy.active && !input.dryRun) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'policy', message: 'an inactive policy can only be dry-run' }],
      });
    }
    return [policy];
  }

  /** Per policy: zero counts, and the other systems holding that data, told of each erasure (notices). */
  private async initialReports(policies: PolicySnapshot[]): Promise<Record<string, PolicyReport>> {
    const systems = (await this.systems.listActive()).filter((s) => s.key !== ZGODA_SYSTEM);
    const out: Record<string, PolicyReport> = {};
    for (const p of policies) {
      const holders = systems.filter((s) =>
        p.dataCategory !== null ? s.dataCategories.includes(p.dataCategory) : s.purposes.includes(p.purpose!),
      );
      out[p.key] = emptyReport(
        p,
        holders.map((s) => s.key),
      );
    }
    return out;
  }
}

const snapshotOf = (p: RetentionPolicy): PolicySnapshot => ({
  key: p.key,
  version: p.version,
  dataCategory: p.dataCategory,
  purpose: p.purposeKey,
  system: p.systemKey,
  trigger: p.trigger,
  period: p.period,
  roundToYearEnd: p.roundToYearEnd,
  action: p.action,
});
