import { PORTABILITY_SCOPE } from '../request.types';
import { Injectable } from '@nestjs/common';
import { statusFailure } from '../../common/http/outbound-http';
import { Env } from '../../config/env';
import { SystemsService } from '../../systems';
import { RequestDetails, TaskSubject } from '../request-vault.service';
import type { RequestTask } from '../request-task.entity';
import { parseOutcome, TaskCallError, TaskOutcome } from './task-outcome';

/**
 * Calls a webhook system for one task (API.md "Data systems"): a signed POST, no redirects followed
 * (the signature and the identifiers must not travel to another host), `Idempotency-Key: <taskId>` so
 * the receiver performs the work once however often at-least-once delivery calls it.
 */
@Injectable()
export class WebhookCaller {
  constructor(
    private readonly systems: SystemsService,
    private readonly env: Env,
  ) {}

  callbackUrl(task: Pick<RequestTask, 'id' | 'requestId'>): string {
    return `${this.env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/v1/requests/${task.requestId}/tasks/${task.id}/result`;
  }

  async call(task: RequestTask, subject: TaskSubject, details: RequestDetails | null): Promise<TaskOutcome> {
    const body = JSON.stringify({
      taskId: task.id,
      requestId: task.requestId,
      action: task.action,
      subject,
      ...(task.action === 'rectification' ? { changes: details?.changes ?? {} } : {}),
      ...(task.action === 'objection' ? { purposes: details?.purposes ?? ['direct_marketing'] } : {}),
      ...(task.action === 'portability' ? { scope: PORTABILITY_SCOPE } : {}),
      // Art. 17(3): erase everything but these categories, which stay, restricted, until the hold ends.
      ...(task.action === 'erasure' && task.retainedCategories?.length ? { retain: task.retainedCategories } : {}),
      callbackUrl: this.callbackUrl(task),
    });
    const posted = await this.systems.postToWebhook(task.systemId, body, task.id);
    if ('failure' in posted) throw new TaskCallError(posted.failure, posted.permanent);
    const { status, body: text } = posted.answer;
    if (status === 202) return { status: 'waiting_callback' };
    if (status === 200 || status === 201) return parseOutcome(json(text));
    const { failure, permanent } = statusFailure(status);
    throw new TaskCallError(failure, permanent);
  }
}

/** The answer was read up to BODY_LIMIT_BYTES by the client (a larger one is `answer_too_large`). */
function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new TaskCallError('answer_not_json', true);
  }
}
