import { Env } from '../../config/env';
import { Injectable, Logger } from '@nestjs/common';
import { OutboundHttp, statusFailure } from '../../common/http/outbound-http';
import { Housekeeping, JobHandler } from '../../jobs';
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
    private readonly http: OutboundHttp,
    private readonly env: Env,
    housekeeping: Housekeeping,
  ) {
    housekeeping.register({
      table: 'opengdpr_callbacks',
      purge: (limit) => this.repo.deleteCallbacksOlderThan(this.env.DELIVERY_LOG_RETENTION_DAYS, limit),
    });
  }

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

  /** Through the one outbound client: the controller's host is checked on the address connected to. */
  private async post(url: string, body: string): Promise<string | null> {
    const posted = await this.http.postJson(url, body, await this.signer.headers(body));
    if ('failure' in posted) return posted.failure;
    const { status } = posted.answer;
    return status < 200 || status >= 300 ? statusFailure(status).failure : null;
  }
}
