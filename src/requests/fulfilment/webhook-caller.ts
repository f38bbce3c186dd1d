import { Injectable } from '@nestjs/common';
import { outboundUrlRefusal } from '../../common/http/outbound-url';
import { Env } from '../../config/env';
import { SystemsService } from '../../systems/systems.service';
import { RequestDetails, TaskSubject } from '../request-vault.service';
import type { RequestTask } from '../request-task.entity';
import { parseOutcome, TaskCallError, TaskOutcome } from './task-outcome';

// 408 and 429 say "later", not "never"; other 4xx mean the call itself is wrong and retrying repeats it.
const RETRYABLE_4XX = new Set([408, 425, 429]);

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
    const hook = this.systems.getWebhook(task.systemId);
    if (!hook) throw new TaskCallError('system_has_no_webhook', true);
    const body = JSON.stringify({
      taskId: task.id,
      requestId: task.requestId,
      action: task.action,
      subject,
      ...(task.action === 'rectification' ? { changes: details?.changes ?? {} } : {}),
      ...(task.action === 'objection' ? { purposes: details?.purposes ?? ['direct_marketing'] } : {}),
      callbackUrl: this.callbackUrl(task),
    });
    // SSRF: data-system URLs are checked before every call, as the name may now resolve inside our network.
    const refusal = await outboundUrlRefusal(hook.url, this.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
    if (refusal) throw new TaskCallError(`destination_not_allowed_${refusal}`, false);
    let res: Response;
    try {
      res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-zgoda-signature': this.systems.signPayload(task.systemId, body),
          'idempotency-key': task.id,
          'user-agent': 'zgoda',
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.env.REQUEST_WEBHOOK_TIMEOUT_MS),
      });
    } catch (e) {
      const name = (e as Error).name;
      throw new TaskCallError(name === 'TimeoutError' ? 'timeout' : 'unreachable', false);
    }
    if (res.status === 202) {
      await res.body?.cancel().catch(() => undefined);
      return { status: 'waiting_callback' };
    }
    if (res.status === 200 || res.status === 201) return parseOutcome(await this.json(res));
    await res.body?.cancel().catch(() => undefined);
    const permanent = res.status >= 300 && res.status < 500 && !RETRYABLE_4XX.has(res.status);
    throw new TaskCallError(`http_${res.status}`, permanent);
  }

  private async json(res: Response): Promise<unknown> {
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > this.env.BODY_LIMIT_BYTES) throw new TaskCallError('answer_too_large', true);
    const text = await res.text();
    if (text.length > this.env.BODY_LIMIT_BYTES) throw new TaskCallError('answer_too_large', true);
    try {
      return JSON.parse(text);
    } catch {
      throw new TaskCallError('answer_not_json', true);
    }
  }
}
