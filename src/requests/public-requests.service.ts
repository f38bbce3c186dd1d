import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { randomUUID } from 'node:crypto';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { JobHandler, type JobPayloads } from '../jobs';
import { OutboxService } from '../outbox';
import { SubjectLookupService } from '../subjects';
import { SystemsService } from '../systems';
import { TaskPlanner } from './fulfilment/task-planner.service';
import { RequestIntake } from './request-intake.service';
import { RequestNotices } from './request-notices.service';
import { RequestTokensRepository } from './request-tokens.repository';
import { RequestTokens } from './request-tokens.service';
import { RequestTransitions } from './request-transitions.service';
import type { RequestDetails } from './request-vault.service';
import { DsrRequest } from './request.entity';
import { ART19_TYPES, REASON_CODES, RequestType, SETTLED_TASK_STATUSES } from './request.types';
import { RequestsRepository } from './requests.repository';
import type { PublicRequestStatus } from './request-api.responses';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
// A status link is looked at now and then over weeks; a download link a few times.
const STATUS_LINK_USES = 1000;
const DOWNLOAD_LINK_USES = 20;

export type VerifyOutcome =
  | { outcome: 'verified'; requestId: string; statusToken: string }
  | { outcome: 'duplicate'; requestId: string; statusToken: string };

/** The portal: requests from people without an account, who prove who they are by a link we mail. */
@Injectable()
export class PublicRequestsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly subjects: SubjectLookupService,
    private readonly intake: RequestIntake,
    private readonly transitions: RequestTransitions,
    private readonly planner: TaskPlanner,
    private readonly tokens: RequestTokens,
    private readonly tokenRows: RequestTokensRepository,
    private readonly notices: RequestNotices,
    private readonly env: Env,
    private readonly audit: AuditService,
    private readonly systems: SystemsService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Recital 64 and EDPB 01/2022: the answer never tells whether the address is known, by its content or by its
   * time. Both paths run the same statements: the request, its audit entries and one job; the link and the e-mail
   * come from that job (`sendFirstLink`), for a held address only. Issuing the link and queueing the e-mail here for
   * a held address made its answer 1-3 ms slower (issue 25 item 7). The request of an unknown address ends
   * `rejected` / `identity_not_verified` when it expires, unseen.
   */
  async submit(
    type: RequestType,
    email: string,
    locale: 'pl' | 'en',
    details: RequestDetails | null = null,
  ): Promise<void> {
    const subjectId = await this.subjects.findIdByIdentifier('email', email);
    await this.dataSource.transaction(async (m) => {
      const request = await this.intake.insert(m, {
        type,
        source: 'portal',
        subjectId,
        receivedAt: new Date(),
        locale,
        contact: subjectId ? email : null,
        // The portal's form (rectification changes, objection scope, own words); kept only for a held address.
        details: subjectId ? details : null,
      });
      await this.transitions.apply(m, request, 'awaiting_verification');
      await this.outbox.enqueue(m, 'requests.verification-mail', { requestId: request.id }, { jobId: request.id });
    });
  }

  /**
   * Job `requests.verification-mail`: the first link of a portal request, mailed to a held address. Once: a retried
   * job, or a request verified, expired or already sent a link (a resend came first) meanwhile, does nothing.
   */
  @JobHandler('requests.verification-mail')
  async sendFirstLink({ requestId }: JobPayloads['requests.verification-mail']): Promise<{ sent: boolean }> {
    return this.dataSource.transaction(async (m) => {
      const r = await this.repo.lock(m, requestId);
      if (!r?.subjectId || r.status !== 'awaiting_verification') return { sent: false };
      if ((await this.tokenRows.verifyLinkStats(m, r.id)).issued > 0) return { sent: false };
      const ttl = this.env.REQUEST_VERIFICATION_TTL_MINUTES * MINUTE;
      const { token } = await this.tokens.issue(m, r.id, 'verify', ttl);
      return { sent: (await this.notices.verification(m, r, token)) !== null };
    });
  }

  /**
   * The portal's "send the link again": the same 202 whatever happens (Recital 64). Only a held address
   * with a request of this type waiting for verification gets a new link, within the resend limits. The answer runs
   * the same statements for every address (issue 25 item 7: a known one used to take the resend's transaction in
   * the answer): the lookup, the open request's (under a random id when no one holds the address), and one job
   * queued; the worker sends the link, or does nothing.
   */
  async resend(type: RequestType, email: string): Promise<void> {
    const subjectId = await this.subjects.findIdByIdentifier('email', email);
    const waiting = await this.repo.findOpenFor(this.dataSource.manager, subjectId ?? randomUUID(), type, [
      'awaiting_verification',
    ]);
    await this.dataSource.transaction((m) =>
      this.outbox.enqueue(m, 'requests.resend-verification', { requestId: waiting?.id ?? null }),
    );
  }

  /** Job `requests.resend-verification`: the portal's resend, within the limits; a refusal is not an error. */
  @JobHandler('requests.resend-verification')
  async resendQueued({ requestId }: JobPayloads['requests.resend-verification']): Promise<{ sent: boolean }> {
    if (!requestId) return { sent: false };
    try {
      await this.dataSource.transaction((m) => this.resendVerification(m, requestId));
      return { sent: true };
    } catch (e) {
      // Limits and races (verified, expired, resent meanwhile): nothing to send, and nothing to retry.
      if (e instanceof ProblemError) return { sent: false };
      throw e;
    }
  }

  /**
   * Sends a fresh verification link for a request waiting for it; earlier links stop working. At most
   * REQUEST_VERIFICATION_RESENDS times per request and one per REQUEST_VERIFICATION_RESEND_INTERVAL_SECONDS:
   * the link goes to someone's mailbox, and the portal must not become a way to flood it.
   */
  async resendVerification(
    m: EntityManager,
    requestId: string,
    actor?: { type: string; id: string },
  ): Promise<{ remaining: number; expiresAt: Date }> {
    const r = await this.repo.lock(m, requestId);
    if (!r) throw new ProblemError('unknown_request', 'No request with this id.');
    if (r.status !== 'awaiting_verification') {
      throw new ProblemError('invalid_transition', 'The request is not waiting for verification.', {
        currentStatus: r.status,
      });
    }
    const { issued, last } = await this.tokenRows.verifyLinkStats(m, r.id);
    const resent = Math.max(0, issued - 1);
    const limit = this.env.REQUEST_VERIFICATION_RESENDS;
    if (resent >= limit) {
      throw new ProblemError('resend_limited', 'The verification e-mail cannot be sent again for this request.', {
        remaining: 0,
      });
    }
    const waitMs = last
      ? new Date(last).getTime() + this.env.REQUEST_VERIFICATION_RESEND_INTERVAL_SECONDS * 1000 - Date.now()
      : 0;
    if (waitMs > 0) {
      throw new ProblemError('resend_limited', 'The verification e-mail was sent a moment ago; try again later.', {
        remaining: limit - resent,
        retryAfterSeconds: Math.ceil(waitMs / 1000),
      });
    }
    await this.tokenRows.expireLiveVerifyLinks(m, r.id);
    const { token, expiresAt } = await this.tokens.issue(
      m,
      r.id,
      'verify',
      this.env.REQUEST_VERIFICATION_TTL_MINUTES * MINUTE,
    );
    const emailId = await this.notices.verification(m, r, token);
    if (!emailId) throw new ProblemError('conflict', 'The request has no e-mail address to send the link to.');
    await this.audit.append(m, {
      action: 'request.verification_resent',
      targetType: 'request',
      targetId: r.id,
      subjectId: r.subjectId,
      ...(actor ? { actor } : {}),
      data: { resend: resent + 1, emailId },
    });
    return { remaining: limit - resent - 1, expiresAt };
  }

  /** The confirmation page: counts a use (mail scanners open links) but consumes nothing. */
  async describe(token: string | undefined): Promise<DsrRequest> {
    const row = await this.tokens.check(token, 'verify', this.env.REQUEST_VERIFICATION_MAX_ATTEMPTS);
    return (await this.repo.find(row.requestId))!;
  }

  /**
   * Consumes the link: the request is verified and its work starts, or, when the same person already has
   * one of this type in work, it is folded into that one and the status link points there.
   */
  async verify(token: string | undefined): Promise<VerifyOutcome> {
    const row = await this.tokens.check(token, 'verify', this.env.REQUEST_VERIFICATION_MAX_ATTEMPTS);
    const peek = await this.repo.find(row.requestId);
    if (!peek?.subjectId) throw new ProblemError('invalid_token', 'This link is not valid.');
    const plan = await this.planner.prepareFor(peek);
    return this.dataSource.transaction(async (m) => {
      const locked = await this.tokens.lockForUse(m, token, 'verify');
      await this.repo.advisoryLock(m, `request:${peek.subjectId}:${peek.type}`);
      const r = await this.repo.lock(m, locked.requestId);
      if (!r || r.status !== 'awaiting_verification')
        throw new ProblemError('invalid_token', 'This link is not valid.');
      await this.tokens.markUsed(m, locked);
      const first = await this.repo.findOpenFor(
        m,
        r.subjectId!,
        r.type,
        ['verified', 'in_progress', 'awaiting_recipients', 'failed'],
        r.id,
      );
      if (first) {
        await this.transitions.apply(m, r, 'cancelled', {
          code: REASON_CODES.duplicate,
          patch: { duplicateOf: first.id },
          data: { duplicateOf: first.id },
        });
        const { token: statusToken } = await this.statusLink(m, first.id);
        return { outcome: 'duplicate', requestId: first.id, statusToken };
      }
      await this.transitions.apply(m, r, 'verified', { data: { by: 'email_link' } });
      await this.notices.received(m, r);
      await this.planner.start(m, r, plan);
      const { token: statusToken } = await this.statusLink(m, r.id);
      return { outcome: 'verified', requestId: r.id, statusToken };
    });
  }

  async status(id: string, token: string | undefined): Promise<PublicRequestStatus> {
    await this.tokens.check(token, 'status', STATUS_LINK_USES, id);
    const r = (await this.repo.find(id))!;
    return {
      id: r.id,
      type: r.type,
      status: r.status,
      resolution: r.resolution,
      receivedAt: r.receivedAt.toISOString(),
      dueAt: (r.extendedDueAt ?? r.dueAt).toISOString(),
      // Art. 12(3): the person may see that the deadline moved and by how much; the reasons (free text that
      // may name people) only travel in the e-mail sent to them.
      extended: r.extensionMonths > 0,
      extensionMonths: r.extensionMonths,
      completedAt: r.completedAt?.toISOString() ?? null,
      resultAvailable: await this.repo.hasResult(r.id),
      recipients: ART19_TYPES.includes(r.type) ? await this.recipientsOf(r) : [],
    };
  }

  /**
   * Art. 19, second sentence: the person may learn who was told. Every system the request went to (by its
   * name, done once its task settled) and every recipient named on their purposes (done once staff told it).
   */
  private async recipientsOf(r: DsrRequest): Promise<{ name: string; done: boolean; system?: string }[]> {
    const out: { name: string; done: boolean; system?: string }[] = [];
    for (const t of await this.repo.tasksOf(r.id)) {
      const system = await this.systems.findByKey(t.systemKey);
      out.push({
        name: system?.name ?? t.systemKey,
        done: SETTLED_TASK_STATUSES.includes(t.status),
        system: t.systemKey,
      });
    }
    for (const n of r.recipients) out.push({ name: n.name, done: n.toldAt !== null });
    return out;
  }

  /** LEGAL item 22: the download link is bound to the request, expires, and each use is audited by the caller. */
  async checkDownload(id: string, token: string | undefined): Promise<void> {
    await this.tokens.check(token, 'download', DOWNLOAD_LINK_USES, id);
  }

  private statusLink(m: Parameters<RequestTokens['issue']>[0], requestId: string) {
    return this.tokens.issue(m, requestId, 'status', this.env.REQUEST_STATUS_LINK_TTL_DAYS * DAY);
  }
}
