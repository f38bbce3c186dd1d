import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemError } from '../../common/problem/problem.error';
import { SystemsService } from '../../systems';
import { RequestTask } from '../request-task.entity';
import { SETTLED_TASK_STATUSES } from '../request.types';
import { TaskResultDto } from '../requests.dto';
import { RequestsRepository } from '../requests.repository';
import { isManual } from './request-progress';
import { parseOutcome, TaskCallError, TaskOutcome } from './task-outcome';
import { TaskSettlement } from './task-settlement.service';
import type { TaskResultAnswer } from '../request-api.responses';

// A request that failed may still hear from a system it waited for; that answer is kept.
const ACCEPTING = ['in_progress', 'awaiting_recipients', 'failed'];

/** Answers that arrive later: a webhook system's signed call-back, a person completing a manual task. */
@Injectable()
export class TaskResults {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly systems: SystemsService,
    private readonly settlement: TaskSettlement,
  ) {}

  /**
   * POST /v1/requests/{id}/tasks/{taskId}/result. Authenticated by the system's signature over the raw
   * body, checked before the body is parsed; an unknown task and a bad signature get the same 401 so the
   * endpoint cannot be used to probe for ids.
   */
  async callback(
    requestId: string,
    taskId: string,
    signature: string | undefined,
    raw: string | undefined,
  ): Promise<TaskResultAnswer> {
    const task = await this.repo.findTask(taskId);
    if (!task || task.requestId !== requestId || task.systemKind !== 'webhook' || raw === undefined) {
      throw new ProblemError('invalid_signature', 'The signature is not valid for this task.');
    }
    if (!this.systems.verifyCallback(task.systemId, signature, raw)) {
      throw new ProblemError('invalid_signature', 'The signature is not valid for this task.');
    }
    let outcome: TaskOutcome;
    try {
      outcome = parseOutcome(JSON.parse(raw));
    } catch (e) {
      const code = e instanceof TaskCallError ? e.code : 'answer_not_json';
      throw new ProblemError('validation_failed', 'The result is not valid.', {
        errors: [{ field: 'body', message: code }],
      });
    }
    return this.apply(taskId, outcome, 'callback');
  }

  /** POST /v1/requests/{id}/tasks/{taskId}/complete: staff record what a manual system's owner did. */
  async complete(requestId: string, taskId: string, dto: TaskResultDto): Promise<TaskResultAnswer> {
    const task = await this.repo.findTask(taskId);
    if (!task || task.requestId !== requestId) throw new ProblemError('not_found', 'No such task on this request.');
    if (!isManual(task) && task.status !== 'waiting_callback') {
      throw new ProblemError(
        'invalid_transition',
        'Only manual tasks, or tasks waiting for a call-back, are completed by hand.',
        {
          currentStatus: task.status,
        },
      );
    }
    if (dto.found === false && dto.status === 'retained') {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'found', message: 'data that was not found cannot be retained' }],
      });
    }
    if (dto.status === 'retained' && !dto.reason) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'reason', message: 'retained data needs a reason (Art. 17(3))' }],
      });
    }
    return this.apply(
      taskId,
      {
        status: dto.status,
        data: dto.data,
        reason: dto.reason ?? null,
        retainedUntil: dto.retainedUntil ? new Date(dto.retainedUntil) : null,
        found: dto.found ?? null,
      },
      'staff',
    );
  }

  /** Idempotent: a settled task keeps its first answer and the call is answered with it. */
  private apply(taskId: string, outcome: TaskOutcome, via: 'callback' | 'staff') {
    return this.dataSource.transaction(async (m) => {
      const peek = (await this.repo.findTask(taskId, m))!;
      const request = await this.repo.lock(m, peek.requestId);
      const task = (await this.repo.lockTask(m, taskId)) as RequestTask;
      if (SETTLED_TASK_STATUSES.includes(task.status) || !request || !ACCEPTING.includes(request.status)) {
        return { taskId, status: task.status, accepted: false };
      }
      await this.settlement.settle(m, request, task, outcome, via);
      return { taskId, status: task.status, accepted: true };
    });
  }
}
