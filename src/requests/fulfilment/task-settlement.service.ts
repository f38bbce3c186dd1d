import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../audit';
import { OutboxService } from '../../outbox';
import { RequestTask } from '../request-task.entity';
import { RequestTransitions } from '../request-transitions.service';
import { RequestVault } from '../request-vault.service';
import { DsrRequest } from '../request.entity';
import { RequestsRepository } from '../requests.repository';
import { progressOf } from './request-progress';
import { heldBack, TaskOutcome } from './task-outcome';

/**
 * Records what a system answered for a task and moves the request on, in the caller's transaction
 * with the request and the task locked (request first, everywhere, so two settlements never deadlock).
 */
@Injectable()
export class TaskSettlement {
  constructor(
    private readonly repo: RequestsRepository,
    private readonly vault: RequestVault,
    private readonly transitions: RequestTransitions,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  async settle(
    m: EntityManager,
    request: DsrRequest,
    task: RequestTask,
    outcome: TaskOutcome,
    via: 'system' | 'callback' | 'staff',
  ): Promise<void> {
    if (task.action === 'erasure') outcome = heldBack(task.retainedCategories, outcome);
    const now = new Date();
    const settled = outcome.status !== 'waiting_callback';
    const patch: Partial<RequestTask> = {
      status: outcome.status,
      ...(settled ? { completedAt: now } : {}),
      ...(outcome.data !== undefined && outcome.data !== null
        ? { resultSealed: this.vault.sealTask(task.id, 'result', outcome.data) }
        : {}),
      ...(outcome.status === 'retained'
        ? { retainedReason: outcome.reason ?? null, retainedUntil: outcome.retainedUntil ?? null }
        : {}),
      // Nothing kept under a hold where the system found nothing or failed; its own retention keeps it all.
      ...(settled && (outcome.status !== 'retained' || outcome.reason !== 'legal_hold')
        ? { retainedCategories: null }
        : {}),
      ...(outcome.status === 'failed' ? { lastError: outcome.reason ?? 'failed' } : {}),
      ...(outcome.status === 'done' ? { lastError: null } : {}),
      ...(settled ? { found: outcome.found ?? null } : {}),
    };
    await this.repo.updateTask(m, task.id, patch);
    Object.assign(task, patch);
    await this.audit.append(m, {
      action: 'request.task_updated',
      targetType: 'request_task',
      targetId: task.id,
      subjectId: request.subjectId,
      data: {
        requestId: request.id,
        system: task.systemKey,
        action: task.action,
        status: outcome.status,
        via,
        ...(outcome.found === false ? { found: false } : {}),
        ...(outcome.data !== undefined && outcome.data !== null ? { withData: true } : {}),
      },
    });
    await this.advance(m, request);
  }

  /** Moves the request to where its tasks say it stands; all done: the finaliser builds the answer. */
  async advance(m: EntityManager, request: DsrRequest): Promise<void> {
    const tasks = await this.repo.tasksOf(request.id, m);
    const p = progressOf(request.status, tasks);
    if (p.next === 'finalise') {
      // Keyed by the retry round: a retried request finalises again, one delivery per round. (BullMQ
      // job ids hold exactly one colon after the job name, hence the dash.)
      await this.outbox.enqueue(
        m,
        'requests.finalise',
        { requestId: request.id },
        {
          jobId: `finalise:${request.id}-${request.retries}`,
        },
      );
    } else if (p.next === 'status') {
      await this.transitions.apply(m, request, p.status, p.status === 'failed' ? { code: 'task_failed' } : {});
    }
  }
}
