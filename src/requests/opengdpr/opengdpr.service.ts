import { Injectable, OnModuleInit } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit';
import type { Principal } from '../../common/auth/principal';
import { outboundUrlRefusal } from '../../common/http/outbound-url';
import { Env } from '../../config/env';
import { OutboxService } from '../../outbox';
import { SubjectLookupService } from '../../subjects';
import { RequestIntake } from '../request-intake.service';
import { PENDING_STATUSES } from '../request-state';
import { RequestTransitions } from '../request-transitions.service';
import { SubjectIdentifier } from '../request-vault.service';
import { DsrRequest } from '../request.entity';
import { RequestsRepository } from '../requests.repository';
import { OpenGdprBody, OpenGdprError, OpenGdprErrorItem, openGdprStatus, parseOpenGdprBody } from './opengdpr-body';
import { OpenGdprRequest } from './opengdpr-request.entity';
import { OpenGdprRepository } from './opengdpr.repository';
import { OpenGdprSigner } from './opengdpr-signer.service';
import type { OpenGdprCancelled, OpenGdprCreated, OpenGdprStatusResponse } from './opengdpr.responses';

const KIND_OF: Record<string, string> = { email: 'email', controller_customer_id: 'external_id' };
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Zgoda as an OpenGDPR processor (LEGAL item 23): intake, status, cancellation, status call-backs. */
@Injectable()
export class OpenGdprService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: OpenGdprRepository,
    private readonly requests: RequestsRepository,
    private readonly subjects: SubjectLookupService,
    private readonly intake: RequestIntake,
    private readonly transitions: RequestTransitions,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly signer: OpenGdprSigner,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.transitions.onTransition('opengdpr', (m, r) => this.announce(m, r));
  }

  /** 201 with `encoded_request`; the same id and body again is answered the same (a retried POST). */
  async create(raw: string | undefined, principal: Principal): Promise<OpenGdprCreated> {
    let json: unknown;
    try {
      json = JSON.parse(raw ?? '');
    } catch {
      throw new OpenGdprError(400, 'The body is not valid JSON.', [
        { domain: 'Validation', reason: 'MalformedJson', message: 'body is not valid JSON' },
      ]);
    }
    const body = parseOpenGdprBody(json);
    await this.assertCallbacksAllowed(body.status_callback_urls);
    const digest = sha256(raw!);
    const existing = await this.repo.find(body.subject_request_id);
    if (existing) return this.replay(existing, digest, raw!, principal);
    const subjectId = await this.resolve(body);
    const created = await this.dataSource.transaction(async (m) => {
      await this.requests.advisoryLock(m, `opengdpr:${body.subject_request_id}`);
      if (await this.repo.find(body.subject_request_id, m)) return null;
      const request = await this.intake.insert(m, {
        type: body.subject_request_type,
        source: 'opengdpr',
        subjectId,
        // The controller's receipt starts the Art. 12(3) clock we help it meet.
        receivedAt: body.submitted_time,
        locale: 'en',
        contact: null,
        details: { identities: body.subject_identities.map(identifier) },
      });
      const row: OpenGdprRequest = {
        subjectRequestId: body.subject_request_id,
        requestId: request.id,
        controllerId: principal.id,
        apiVersion: body.api_version,
        statusCallbackUrls: body.status_callback_urls,
        bodySha256: digest,
        lastStatus: 'pending',
        createdAt: new Date(),
      };
      await this.repo.insert(m, row);
      // The controller verified the subject (spec 3.2 step 2); the work starts in the worker.
      await this.transitions.apply(m, request, 'verified', { data: { by: 'opengdpr_controller' } });
      await this.outbox.enqueue(m, 'requests.start', { requestId: request.id }, { jobId: `start:${request.id}` });
      await this.audit.append(m, {
        action: 'opengdpr.request_received',
        targetType: 'request',
        targetId: request.id,
        subjectId,
        data: {
          subjectRequestId: body.subject_request_id,
          type: body.subject_request_type,
          identities: body.subject_identities.length,
          callbacks: body.status_callback_urls.length,
          matched: !!subjectId,
        },
      });
      return { row, request };
    });
    if (!created) return this.replay((await this.repo.find(body.subject_request_id))!, digest, raw!, principal);
    return this.createdBody(created.row, created.request, raw!);
  }

  async status(subjectRequestId: string, principal: Principal): Promise<OpenGdprStatusResponse> {
    const { row, request } = await this.owned(subjectRequestId, principal);
    const hasResult = await this.requests.hasResult(request.id);
    return {
      controller_id: row.controllerId,
      expected_completion_time: (request.extendedDueAt ?? request.dueAt).toISOString(),
      subject_request_id: row.subjectRequestId,
      request_status: openGdprStatus(request.status),
      api_version: row.apiVersion,
      ...(hasResult ? { results_url: this.resultsUrl(row.subjectRequestId), results_count: 1 } : {}),
      extensions: {
        [this.signer.domain]: {
          status: request.status,
          resolution: request.resolution,
          resolution_code: request.resolutionCode,
        },
      },
    };
  }

  /** Spec 9: only while pending; 202 with the cancellation's own (empty) body encoded. */
  async cancel(subjectRequestId: string, principal: Principal): Promise<OpenGdprCancelled> {
    const { row } = await this.owned(subjectRequestId, principal);
    await this.dataSource.transaction(async (m) => {
      const r = (await this.requests.lock(m, row.requestId))!;
      if (!PENDING_STATUSES.includes(r.status)) {
        throw new OpenGdprError(
          409,
          `Only a pending request can be cancelled; this one is ${openGdprStatus(r.status)}.`,
        );
      }
      await this.transitions.apply(m, r, 'cancelled', { data: { by: 'opengdpr_controller' } });
    });
    return {
      controller_id: row.controllerId,
      subject_request_id: row.subjectRequestId,
      received_time: new Date().toISOString(),
      encoded_request: '',
      api_version: row.apiVersion,
    };
  }

  /** The request id behind a subject_request_id, for the results download, only to its controller. */
  async requestIdFor(subjectRequestId: string, principal: Principal): Promise<string> {
    return (await this.owned(subjectRequestId, principal)).row.requestId;
  }

  /**
   * Transition listener (in the transition's transaction): when the OpenGDPR status changes, one
   * call-back per URL is recorded and handed to the worker (spec 8.5: every URL, every change).
   */
  private async announce(m: EntityManager, r: DsrRequest): Promise<void> {
    if (r.source !== 'opengdpr') return;
    const row = await this.repo.findByRequest(m, r.id);
    if (!row) return;
    const next = openGdprStatus(r.status);
    if (next === row.lastStatus) return;
    await this.repo.setLastStatus(m, row.subjectRequestId, next);
    for (const url of row.statusCallbackUrls) {
      const id = randomUUID();
      await this.repo.insertCallback(m, { id, subjectRequestId: row.subjectRequestId, url, requestStatus: next });
      await this.outbox.enqueue(m, 'webhooks.opengdpr-callback', { callbackId: id }, { jobId: `opengdpr:${id}` });
    }
  }

  /** Discovery's `processor_certificate`: the operator's X.509 certificate when configured, else our key. */
  certificateUrl(): string {
    return (
      this.env.OPENGDPR_CERTIFICATE_URL ??
      `${this.env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/opengdpr/v1/processor-key.pem`
    );
  }

  resultsUrl(subjectRequestId: string): string {
    return `${this.env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/opengdpr/v1/opengdpr_requests/${subjectRequestId}/results`;
  }

  private async replay(existing: OpenGdprRequest, digest: string, raw: string, principal: Principal) {
    if (existing.controllerId !== principal.id || existing.bodySha256 !== digest) {
      throw new OpenGdprError(409, 'This subject_request_id was already used with another request.', [
        { domain: 'Validation', reason: 'DuplicateRequestId', message: 'subject_request_id already used' },
      ]);
    }
    return this.createdBody(existing, (await this.requests.find(existing.requestId))!, raw);
  }

  private createdBody(row: OpenGdprRequest, request: DsrRequest, raw: string): OpenGdprCreated {
    return {
      controller_id: row.controllerId,
      expected_completion_time: (request.extendedDueAt ?? request.dueAt).toISOString(),
      received_time: row.createdAt.toISOString(),
      encoded_request: b64(raw),
      subject_request_id: row.subjectRequestId,
    };
  }

  private async owned(subjectRequestId: string, principal: Principal) {
    const row = await this.repo.find(subjectRequestId);
    // Another controller's request does not exist for this one.
    if (!row || (row.controllerId !== principal.id && !principal.scopes.includes('admin'))) {
      throw new OpenGdprError(404, 'No request with this subject_request_id.');
    }
    return { row, request: (await this.requests.find(row.requestId))! };
  }

  /** Raw e-mails and customer ids are looked up through blind indexes; hashed ones cannot be. */
  /** SSRF: call-backs go only to public addresses (unless WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
  private async assertCallbacksAllowed(urls: string[]): Promise<void> {
    const errors: OpenGdprErrorItem[] = [];
    for (const [i, url] of urls.entries()) {
      const refusal = await outboundUrlRefusal(url, this.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
      if (refusal) {
        errors.push({
          domain: 'Validation',
          reason: 'CallbackUrlNotAllowed',
          message: `status_callback_urls[${i}] is not allowed (${refusal})`,
        });
      }
    }
    if (errors.length) throw new OpenGdprError(400, 'A status call-back URL is not allowed.', errors);
  }

  private async resolve(body: OpenGdprBody): Promise<string | null> {
    for (const id of body.subject_identities) {
      const kind = KIND_OF[id.identity_type];
      if (!kind || id.identity_format !== 'raw') continue;
      const found = await this.subjects.findIdByIdentifier(kind as 'email' | 'external_id', id.identity_value);
      if (found) return found;
    }
    return null;
  }
}

function identifier(i: OpenGdprBody['subject_identities'][number]): SubjectIdentifier {
  return { kind: KIND_OF[i.identity_type] ?? i.identity_type, value: i.identity_value, format: i.identity_format };
}
