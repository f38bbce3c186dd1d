import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { JobHandler } from '../jobs';
import type { JobPayloads } from '../jobs';
import { SubjectLifecycleService } from '../subjects';
import { SubjectRightsService } from '../subjects';
import type { SystemRecord } from '../systems';
import { computeRetentionDue } from './retention-due';
import { RetentionBatchCommit } from './retention-batch-commit.service';
import { RetentionFactsService } from './retention-facts.service';
import { RetentionNoticesService } from './retention-notices.service';
import {
  BatchFacts,
  CompiledPolicy,
  compilePolicies,
  factsFor,
  planSubject,
  SubjectPlan,
  SweepSubject,
} from './retention-plan';
import { RetentionRun } from './retention-run.entity';
import { RetentionRunsRepository } from './retention-runs.repository';
import { ACTIVE_RUN_STATUSES, PolicySnapshot } from './retention.types';

// Subjects destroyed per transaction, in a constant number of statements (SubjectBatchErasure). The audit
// chain's lock, which serialises every audited write in the service, is taken by the chunk's one batch
// append near the end of the transaction, so a consent being recorded waits only for that insert and the
// commit, not for the chunk's crypto and deletes.
const ACT_CHUNK = 500;

interface Planned {
  subject: SweepSubject;
  plan: SubjectPlan;
}

/** `batch` is the batch this job was enqueued for; a job for a batch already committed does nothing. */
type RunJob = JobPayloads['retention.run'];

/**
 * Executes a retention run one batch (one job) at a time. Per batch: a keyset page of subjects, the
 * rules applied to them (retention-plan.ts), then the actions, ACT_CHUNK subjects per transaction, each
 * committing with its `retention_run_items` rows; last, one transaction that records the skips,
 * totals the batch from its items, moves the cursor, writes the batch's audit entry and enqueues the
 * next batch. A crash anywhere re-runs the batch: subjects with items are not touched again.
 */
@Injectable()
export class RetentionBatchRunner {
  private readonly logger = new Logger(RetentionBatchRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RetentionRunsRepository,
    private readonly facts: RetentionFactsService,
    private readonly notices: RetentionNoticesService,
    private readonly subjects: SubjectRightsService,
    private readonly subjectLifecycle: SubjectLifecycleService,
    private readonly audit: AuditService,
    private readonly committer: RetentionBatchCommit,
    private readonly env: Env,
  ) {}

  @JobHandler('retention.run')
  async handle(job: RunJob): Promise<{ batch?: number; completed?: boolean; skipped?: string }> {
    // One batch of a run at a time across every worker: a duplicate delivery waits here, then finds
    // its batch committed.
    return this.repo.withRunLock(job.runId, () => this.runBatch(job));
  }

  private async runBatch(job: RunJob): Promise<{ batch?: number; completed?: boolean; skipped?: string }> {
    const run = await this.repo.find(job.runId);
    if (!run || !ACTIVE_RUN_STATUSES.includes(run.status)) return { skipped: 'not_active' };
    const batch = run.batches;
    // At-least-once delivery and resumption both send jobs for batches already done: a no-op.
    if (job.batch !== undefined && job.batch !== batch) return { skipped: 'stale' };
    if (run.status === 'queued') await this.repo.markStarted(run.id);

    const size = this.env.RETENTION_BATCH_SIZE;
    const page = await this.subjects.listForRetention(run.cursor, size);
    const policies = compilePolicies(run.policies, run.asOf);
    const done = await this.repo.subjectsWithItems(
      run.id,
      page.map((s) => s.id),
    );
    const todo = page.filter((s) => !done.has(s.id));
    const facts = await this.facts.load(todo, run.policies, run.asOf);
    const plans = todo
      .map((s) => planSubject(s, policies, facts, run.dryRun))
      .filter((p): p is SubjectPlan => p !== null);
    const acting = plans.filter((p) => p.action !== null || p.reviews.length > 0);
    const systems = acting.length ? await this.notices.otherSystems() : [];
    for (let i = 0; i < acting.length; i += ACT_CHUNK) {
      await this.act(run, batch, policies, acting.slice(i, i + ACT_CHUNK), systems);
    }
    const passive = plans.filter((p) => p.action === null && p.reviews.length === 0);
    const last = page.length < size;
    await this.committer.commit(run, batch, page, passive, last);
    return last ? { batch, completed: true } : { batch };
  }

  /**
   * Destroys records and raises reviews for one chunk, in one transaction. The subjects are locked and
   * judged again first: a hold, a restriction, a merge or new activity since the batch was read (each
   * takes the same row lock) changes the answer before anything is destroyed.
   */
  private async act(
    run: RetentionRun,
    batch: number,
    policies: CompiledPolicy[],
    chunk: SubjectPlan[],
    systems: SystemRecord[],
  ) {
    await this.dataSource.transaction(async (m) => {
      const fresh = await this.subjects.lockForRetention(
        m,
        chunk.map((p) => p.subjectId),
      );
      const facts = await this.facts.load(fresh, run.policies, run.asOf, m);
      const todo = fresh
        .map((subject) => ({ subject, plan: planSubject(subject, policies, facts, false) }))
        .filter((p): p is Planned => p.plan !== null);
      if (await this.attempt(m, run, null, () => this.actOnAll(m, run, batch, todo, facts, systems))) return;
      // The set-based path met something unexpected (a constraint, a hook): one subject at a time, so that
      // only the subject at fault is recorded as failed and the run goes on; the next run tries it again.
      for (const p of todo) {
        if (await this.attempt(m, run, p.subject.id, () => this.actOnAll(m, run, batch, [p], facts, systems))) continue;
        await this.repo.insertItems(
          m,
          run.id,
          batch,
          p.plan.items.map((i) => ({ subjectId: p.subject.id, policyKey: i.policyKey, outcome: 'failed' })),
        );
      }
    });
  }

  /** Runs `fn` under a savepoint; false, with everything it did undone, when it throws. */
  private async attempt(m: EntityManager, run: RetentionRun, subjectId: string | null, fn: () => Promise<void>) {
    await this.repo.savepoint(m);
    try {
      await fn();
      await this.repo.releaseSavepoint(m);
      return true;
    } catch (error) {
      await this.repo.rollbackToSavepoint(m);
      this.warn(run, subjectId, error);
      return false;
    }
  }

  /**
   * The actions of a chunk in a constant number of statements: items, reviews, erasures (through the
   * subjects module's crypto-shredding, as for an erasure request) and Art. 19 notices.
   */
  private async actOnAll(
    m: EntityManager,
    run: RetentionRun,
    batch: number,
    todo: Planned[],
    facts: BatchFacts,
    systems: SystemRecord[],
  ) {
    // Committed with the action, never without it: a re-delivered batch finds the items and moves on.
    const rows = todo.flatMap((p) => p.plan.items.map((i) => ({ subjectId: p.subject.id, ...i })));
    const added = new Set(await this.repo.insertNewItems(m, run.id, batch, rows));
    const mine = todo.filter((p) => added.has(p.subject.id));

    await this.repo.insertReviews(
      m,
      mine.flatMap((p) => p.plan.reviews.map((key) => this.review(run, p.subject, key, facts))),
    );

    const destroying = mine.filter((p) => p.plan.action !== null);
    if (!destroying.length) return;
    // Art. 19, as for an erasure request: the other systems holding the data are told, with the
    // identifiers read before Zgoda destroys its own copy; the notices commit with the erasure.
    const targets = new Map(destroying.map((p) => [p.subject.id, this.noticeTargets(run, p.plan, systems)]));
    const reveal = new Set(
      [...targets].filter(([, ts]) => ts.some((t) => t.system.kind === 'webhook')).map(([id]) => id),
    );
    const outcome = await this.subjectLifecycle.eraseMany(
      m,
      destroying.map((p) => ({
        subjectId: p.subject.id,
        reason: `retention:${this.decidingPolicy(run.policies, p.plan)}`,
        suppress: p.plan.action === 'erase',
      })),
      reveal,
    );
    // A hold placed, or a key the keyring cannot open, leaves the subject as it was; its items say so.
    await this.repo.setOutcome(m, run.id, outcome.held, 'legal_hold');
    await this.repo.setOutcome(m, run.id, [...outcome.failed.keys()], 'failed');
    for (const [subjectId, error] of outcome.failed) this.warn(run, subjectId, error);
    const byId = new Map(destroying.map((p) => [p.subject.id, p.plan]));
    await this.notices.recordMany(
      m,
      run.id,
      outcome.erased.map((id) => {
        const identifiers = outcome.revealed.get(id);
        return {
          subjectId: id,
          action: byId.get(id)!.action!,
          targets: targets.get(id) ?? [],
          subject: identifiers
            ? {
                id,
                identifiers: identifiers.map((i) => ({
                  kind: i.kind,
                  value: i.value,
                  ...(i.system ? { system: i.system } : {}),
                })),
              }
            : null,
        };
      }),
    );
  }

  /** The other systems to tell: those holding the category or purpose of a policy the record goes under. */
  private noticeTargets(run: RetentionRun, plan: SubjectPlan, systems: SystemRecord[]) {
    const destroyedUnder = plan.items.filter((i) => i.outcome === 'erased' || i.outcome === 'anonymised');
    return this.notices.targets(
      run.policies.filter((p) => destroyedUnder.some((i) => i.policyKey === p.key)),
      systems,
    );
  }

  /** `subjectId` null: a whole chunk, about to be done again one subject at a time. */
  private warn(run: RetentionRun, subjectId: string | null, error: unknown) {
    const code = error instanceof ProblemError ? error.code : ((error as { code?: string }).code ?? 'error');
    this.logger.warn(
      { runId: run.id, subjectId, error: (error as Error).name, code },
      subjectId ? 'retention could not process a subject' : 'retention could not process a chunk together',
    );
  }

  private review(run: RetentionRun, subject: SweepSubject, key: string, facts: BatchFacts) {
    const policy = run.policies.find((p) => p.key === key)!;
    const subjectFacts = factsFor(subject, policy, facts);
    const dueAt = subjectFacts ? computeRetentionDue(policy, subjectFacts) : null;
    return {
      id: randomUUID(),
      subjectId: subject.id,
      policyKey: key,
      policyVersion: policy.version,
      runId: run.id,
      dueAt: dueAt ?? run.asOf,
      status: 'open' as const,
      resolution: null,
      resolvedAt: null,
      resolvedBy: null,
    };
  }

  /** The policy named as the reason of an erasure: the first due erase policy, else the first anonymise one. */
  private decidingPolicy(policies: PolicySnapshot[], plan: SubjectPlan): string {
    const keys = new Set(plan.items.map((i) => i.policyKey));
    const candidates = policies.filter((p) => keys.has(p.key) && p.action === plan.action);
    return candidates[0]?.key ?? plan.items[0].policyKey;
  }
}
