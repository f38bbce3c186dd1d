import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Env } from '../../config/env';
import { JobHandler } from '../../jobs';
import type { JobPayloads } from '../../jobs';
import { RequestTask } from '../request-task.entity';
import { RequestDetails, RequestVault, TaskSubject } from '../request-vault.service';
import { DsrRequest } from '../request.entity';
import { RequestsRepository } from '../requests.repository';
import { SubjectRightsService } from '../../subjects';
import { isManual } from './request-progress';
import { keptFor } from './task-planner.service';
import { TaskCallError, TaskOutcome } from './task-outcome';
import { TaskSettlement } from './task-settlement.service';
import { WebhookCaller } from './webhook-caller';
import { ZgodaExecutor } from './zgoda-executor';

interface Claim {
  task: RequestTask;
  request: DsrRequest;
}

const IN_WORK = ['in_progress', 'awaiting_recipients'];

/**
 * Runs one task (job `requests.run-task`, job id `task:<taskId>`). At least once: the database says
 * whether the work is done, and a settled task makes a re-delivery a no-op. The one side effect that can
 * repeat after a crash, the call to a webhook system, carries `Idempotency-Key: <taskId>`.
 */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger(TaskRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly vault: RequestVault,
    private readonly settlement: TaskSettlement,
    private readonly caller: WebhookCaller,
    private readonly zgoda: ZgodaExecutor,
    private readonly subjectRights: SubjectRightsService,
    private readonly env: Env,
  ) {}

  @JobHandler('requests.run-task')
  async run(payload: JobPayloads['requests.run-task']): Promise<{ outcome: string }> {
    const claim = await this.claim(payload.taskId);
    if (!claim) return { outcome: 'nothing_to_do' };
    const { task, request } = claim;
    if (task.systemKind === 'webhook') return this.runWebhook(claim);
    if (!isManual(task)) return this.runZgoda(task, request);
    return { outcome: 'manual' };
  }

  /** Marks the task running and counts the attempt, unless it is settled or its request is not in work. */
  private claim(taskId: string): Promise<Claim | null> {
    return this.dataSource.transaction(async (m) => {
      const peek = await this.repo.findTask(taskId, m);
      if (!peek) return null;
      const request = await this.repo.lock(m, peek.requestId);
      const task = await this.repo.lockTask(m, taskId);
      if (!request || !task || !IN_WORK.includes(request.status)) return null;
      if (task.status !== 'pending' && task.status !== 'running') return null;
      if (isManual(task)) return null;
      const patch: Partial<RequestTask> = { status: 'running', attempts: task.attempts + 1 };
      // Holds placed or released since planning count: the system is told what is held at the time it acts.
      if (task.action === 'erasure' && request.subjectId) {
        patch.retainedCategories = keptFor(await this.subjectRights.activeHolds(request.subjectId, m), task.categories);
      }
      await this.repo.updateTask(m, task.id, patch);
      return { task: { ...task, ...patch }, request };
    });
  }

  private async runWebhook({ task, request }: Claim): Promise<{ outcome: string }> {
    const subject = this.vault.openTask<TaskSubject>(task.id, 'subject', task.subjectSealed);
    const details = this.vault.openJson<RequestDetails>(request.id, 'details', request.detailsSealed);
    let outcome: TaskOutcome;
    try {
      if (!subject) throw new TaskCallError('subject_snapshot_missing', true);
      outcome = await this.caller.call(task, subject, details);
    } catch (e) {
      const error = e instanceof TaskCallError ? e : new TaskCallError('internal_error', false);
      const final = error.permanent || task.attempts >= this.env.REQUEST_TASK_MAX_ATTEMPTS;
      await this.inTask(task.id, async (m, r, t) => {
        if (final) await this.settlement.settle(m, r, t, { status: 'failed', reason: error.code }, 'system');
        else await this.repo.updateTask(m, t.id, { status: 'pending', lastError: error.code });
      });
      this.logger.warn(
        { taskId: task.id, system: task.systemKey, attempt: task.attempts, error: error.code, final },
        'request task call failed',
      );
      // A final failure is recorded on the task for an operator to retry; the job itself did its work.
      if (final) return { outcome: 'failed' };
      throw error;
    }
    await this.inTask(task.id, (m, r, t) => this.settlement.settle(m, r, t, outcome, 'system'));
    return { outcome: outcome.status };
  }

  private async runZgoda(task: RequestTask, request: DsrRequest): Promise<{ outcome: string }> {
    const details = this.vault.openJson<RequestDetails>(request.id, 'details', request.detailsSealed);
    // Reads and the rectification (its own transaction) happen before the task transaction.
    let prepared: TaskOutcome | null = null;
    // An OpenGDPR request naming nobody Zgoda knows (the lookup ran and found no one; a failed lookup refuses
    // the request instead): Zgoda holds nothing, which is what the certificate says; the other systems were told.
    if (!request.subjectId) prepared = { status: 'done', found: false };
    else if (task.action === 'access' || task.action === 'portability') {
      const data =
        task.action === 'access'
          ? await this.zgoda.accessCopy(request.subjectId)
          : await this.zgoda.portabilityCopy(request.subjectId);
      prepared = { status: 'done', data, found: Object.keys(data).length > 0 };
    } else if (task.action === 'rectification') prepared = await this.zgoda.rectify(request.subjectId, details);
    let status = 'nothing_to_do';
    await this.inTask(task.id, async (m, r, t) => {
      let outcome = prepared;
      if (!outcome && task.action === 'erasure') outcome = await this.zgoda.erase(m, r);
      if (!outcome && task.action === 'restriction') outcome = await this.zgoda.restrict(m, r);
      if (!outcome && task.action === 'objection') outcome = await this.zgoda.object(m, r, details);
      // The subject's record exists (a merged or erased one included), so Zgoda found them.
      await this.settlement.settle(m, r, t, { found: true, ...outcome! }, 'system');
      status = outcome!.status;
    });
    return { outcome: status };
  }

  /** Runs `fn` with request and task locked, only while the task is still running (no late overwrite). */
  private async inTask(
    taskId: string,
    fn: (m: EntityManager, request: DsrRequest, task: RequestTask) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const peek = await this.repo.findTask(taskId, m);
      if (!peek) return;
      const request = await this.repo.lock(m, peek.requestId);
      const task = await this.repo.lockTask(m, taskId);
      // A call-back may have settled the task while we were calling; its answer stands.
      if (!request || !task || task.status !== 'running') return;
      await fn(m, request, task);
    });
  }
}
