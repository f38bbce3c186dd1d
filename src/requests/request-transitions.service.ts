import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { checkTransition, TERMINAL_STATUSES } from './request-state';
import { DsrRequest } from './request.entity';
import type { RequestStatus, Resolution } from './request.types';
import { RequestTokensRepository } from './request-tokens.repository';
import { RequestsRepository } from './requests.repository';

export interface TransitionOptions {
  resolution?: Resolution;
  /** A stable code from REASON_CODES (`identity_not_verified`, `no_data_found`, ...). */
  code?: string;
  /** Extra columns to write with the change (sealed reason, duplicate link). */
  patch?: Partial<DsrRequest>;
  /** Ids and codes for the audit entry. */
  data?: Record<string, unknown>;
}

/** From intake to confirmation; 0 when staff confirmed the identity when recording the request. */
export const waitedSeconds = (r: Pick<DsrRequest, 'createdAt'>, verifiedAt: Date): number =>
  Math.max(0, Math.round((verifiedAt.getTime() - new Date(r.createdAt).getTime()) / 1000));

type Listener = (m: EntityManager, request: DsrRequest, from: RequestStatus) => Promise<void>;

/**
 * The only writer of `requests.status`. Each change is checked against the table in request-state.ts
 * and audited in the caller's transaction; listeners (OpenGDPR callbacks) run in it too, so a status
 * change and the work it causes commit together or not at all.
 */
@Injectable()
export class RequestTransitions {
  private readonly listeners: { name: string; fn: Listener }[] = [];

  constructor(
    private readonly repo: RequestsRepository,
    private readonly tokens: RequestTokensRepository,
    private readonly audit: AuditService,
  ) {}

  onTransition(name: string, fn: Listener): void {
    this.listeners.push({ name, fn });
  }

  /** `request` must have been locked in `m`; it is updated in place and returned. */
  async apply(
    m: EntityManager,
    request: DsrRequest,
    to: RequestStatus,
    opts: TransitionOptions = {},
  ): Promise<DsrRequest> {
    const from = request.status;
    const check = checkTransition(from, to, opts.resolution);
    if (!check.ok) throw new ProblemError('invalid_transition', `${check.reason}.`, { currentStatus: from });
    const now = new Date();
    const terminal = TERMINAL_STATUSES.includes(to);
    const patch: Partial<DsrRequest> = {
      ...(to === 'verified' ? { verifiedAt: now } : {}),
      ...(terminal ? { completedAt: now, resolution: opts.resolution ?? null, resolutionCode: opts.code ?? null } : {}),
      ...(to === 'failed' && opts.code ? { resolutionCode: opts.code } : {}),
      ...(to === 'in_progress' && from === 'failed' ? { resolutionCode: null } : {}),
      // LEGAL item 21: once over, the request keeps ids and dates only. Notices are queued before this.
      ...(terminal ? { contactSealed: null } : {}),
      ...(terminal && (request.type === 'erasure' || request.source === 'opengdpr') ? { detailsSealed: null } : {}),
      ...opts.patch,
      status: to,
    };
    await this.repo.update(m, request.id, patch);
    if (terminal) {
      await this.repo.wipeTaskSnapshots(m, request.id);
      await this.tokens.expireTokens(m, request.id, 'verify');
    }
    Object.assign(request, patch, { updatedAt: now });
    await this.audit.append(m, {
      action: 'request.status_changed',
      targetType: 'request',
      targetId: request.id,
      subjectId: request.subjectId,
      data: {
        type: request.type,
        from,
        to,
        // Recorded for the DPO: how long the clock ran while the person had not yet confirmed (EDPB 01/2022).
        ...(to === 'verified' ? { waitedSeconds: waitedSeconds(request, now) } : {}),
        ...(opts.resolution ? { resolution: opts.resolution } : {}),
        ...(opts.code ? { code: opts.code } : {}),
        ...opts.data,
      },
    });
    for (const l of this.listeners) await l.fn(m, request, from);
    return request;
  }
}
