import { Injectable, Logger } from '@nestjs/common';
import { discardBody } from '../../common/http/discard-body';
import { outboundUrlRefusal } from '../../common/http/outbound-url';
import { Env } from '../../config/env';
import { JobHandler } from '../../jobs';
import type { JobPayloads } from '../../jobs';
import { RequestsRepository } from '../requests.repository';
import { OpenGdprRepository } from './opengdpr.repository';
import { OpenGdprService } from './opengdpr.service';
import { OpenGdprSigner } from './opengdpr-signer.service';

/**
 * Job `webhooks.opengdpr-callback`: POSTs one status change to one controller URL, signed, redirects not
 * followed (LEGAL item 23), retried with the queue's backoff until it is accepted.
 */
@Injectable()
export class OpenGdprCallbacks {
  private readonly logger = new Logger(OpenGdprCallbacks.name);

  constructor(
    private readonly repo: OpenGdprRepository,
    private readonly requests: RequestsRepository,
    private readonly signer: OpenGdprSigner,
    private readonly service: OpenGdprService,
    private readonly env: Env,
  ) {}

  @JobHandler('webhooks.opengdpr-callback')
  async deliver(payload: JobPayloads['webhooks.opengdpr-callback']): Promise<{ delivered: boolean }> {
    const cb = await this.repo.findCallback(payload.callbackId);
    if (!cb || cb.deliveredAt) return { delivered: !!cb?.deliveredAt };
    const row = (await this.repo.find(cb.subjectRequestId))!;
    const request = (await this.requests.find(row.requestId))!;
    const hasResult = cb.requestStatus === 'completed' && (await this.requests.hasResult(request.id));
    const body = JSON.stringify({
      controller_id: row.controllerId,
      expected_completion_time: (request.extendedDueAt ?? request.dueAt).toISOString(),
      status_callback_url: cb.url,
      subject_request_id: row.subjectRequestId,
      request_status: cb.requestStatus,
      ...(hasResult ? { results_url: this.service.resultsUrl(row.subjectRequestId) } : {}),
    });
    const error = await this.post(cb.url, body);
    await this.repo.recordAttempt(cb.id, { delivered: !error, error });
    if (error) {
      this.logger.warn({ callbackId: cb.id, error }, 'OpenGDPR status call-back not accepted');
      throw new Error(`callback ${error}`);
    }
    return { delivered: true };
  }

  private async post(url: string, body: string): Promise<string | null> {
    // Checked again before each call: the controller's host name may now resolve inside our network.
    const refusal = await outboundUrlRefusal(url, this.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
    if (refusal) return `destination_not_allowed_${refusal}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await this.signer.headers(body)) },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.env.REQUEST_WEBHOOK_TIMEOUT_MS),
      });
      await discardBody(res, this.logger);
      return res.status < 200 || res.status >= 300 ? `http_${res.status}` : null;
    } catch (e) {
      return (e as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable';
    }
  }
}
