import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { decodeCursor } from '../common/http/pagination';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { OutboxService } from '../outbox';
import { TaskPlanner } from './fulfilment/task-planner.service';
import { canExtend, computeDueAt, computeDueDate, ExtensionMonths } from './legal-clock';
import { RequestNotices } from './request-notices.service';
import { isOpen } from './request-state';
import { RequestTransitions } from './request-transitions.service';
import { RequestVault } from './request-vault.service';
import { DsrRequest } from './request.entity';
import { REASON_CODES } from './request.types';
import { ExtendRequestDto, ListRequestsQuery, RecipientToldDto } from './requests.dto';
import { CLOCK_SKEW_MS } from './request-intake.service';
import { RequestsRepository } from './requests.repository';
import { toldOffline } from './told';
import { requestView } from './request.view';
import type { RequestResponse } from './request-api.responses';

/** Reading requests and the lifecycle actions staff take on them. */
@Injectable()
export class RequestsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly transitions: RequestTransitions,
    private readonly notices: RequestNotices,
    private readonly planner: TaskPlanner,
    private readonly vault: RequestVault,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  async get(id: string): Promise<DsrRequest> {
    const r = await this.repo.find(id);
    if (!r) throw new ProblemError('unknown_request', 'No request with this id.');
    return r;
  }

  list(q: ListRequestsQuery): Promise<DsrRequest[]> {
    const common = {
      status: q.status,
      type: q.type,
      overdue: q.overdue,
      atRiskDays: q.atRisk ? this.env.REQUEST_AT_RISK_DAYS : undefined,
      subjectId: q.subjectId,
      limit: q.limit + 1,
    };
    if (q.sort === 'due') {
      // A work queue of what is still owed: a closed request has no deadline left to sort by.
      if (q.status && !isOpen(q.status)) {
        throw new ProblemError('validation_failed', 'sort=due lists open requests only.', {
          errors: [{ field: 'status', message: `sort=due lists open requests; ${q.status} is closed` }],
        });
      }
      const after = decodeCursor<{ dueAt: string; id: string }>(q.cursor, ['dueAt', 'id']);
      return this.repo.list({ ...common, order: { by: 'due', after: after && this.checkedCursor(after, 'dueAt') } });
    }
    const after = decodeCursor<{ receivedAt: string; id: string }>(q.cursor, ['receivedAt', 'id']);
    return this.repo.list({
      ...common,
      order: { by: 'received', after: after && this.checkedCursor(after, 'receivedAt') },
    });
  }

  /** The cursor of the list's order: `{ dueAt | receivedAt, id }`, the binding deadline for `sort=due`. */
  cursorOf(r: DsrRequest, sort: ListRequestsQuery['sort']): Record<string, string> {
    return sort === 'due'
      ? { dueAt: (r.extendedDueAt ?? r.dueAt).toISOString(), id: r.id }
      : { receivedAt: r.receivedAt.toISOString(), id: r.id };
  }

  /** A cursor is opaque, but its values reach SQL casts: a damaged one is 400 invalid_cursor, never a 500. */
  private checkedCursor<T extends { id: string }>(c: T, timeKey: keyof T): T {
    const time = c[timeKey];
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    if (typeof time !== 'string' || Number.isNaN(Date.parse(time)) || typeof c.id !== 'string' || !uuid.test(c.id)) {
      throw new ProblemError('invalid_cursor', 'The cursor is not valid.');
    }
    return c;
  }

  tasks(id: string) {
    return this.repo.tasksOf(id);
  }

  /** What staff see of one request, with its tasks per data system (the API's and the console's view). */
  async detail(id: string): Promise<RequestResponse> {
    const r = await this.get(id);
    const [tasks, resultAvailable] = await Promise.all([this.tasks(id), this.hasResult(id)]);
    return requestView(r, this.vault, { tasks, resultAvailable });
  }

  /** A list's rows as staff see them (no tasks). */
  views(rows: DsrRequest[]): RequestResponse[] {
    return rows.map((r) => requestView(r, this.vault));
  }

  hasResult(id: string): Promise<boolean> {
    return this.repo.hasResult(id);
  }

  /** GET /clock: how the deadline was computed (Reg. 1182/71), and whether it may still be extended. */
  async clock(id: string) {
    const r = await this.get(id);
    const explanation = computeDueDate(r.receivedAt, { extensionMonths: r.extensionMonths as ExtensionMonths });
    const can = canExtend(r.receivedAt, new Date(), r.extensionMonths, 1);
    return {
      requestId: r.id,
      ...explanation,
      extensionReason: this.vault.openText(r.id, 'extension_reason', r.extensionReasonSealed),
      extendedAt: r.extendedAt?.toISOString() ?? null,
      extensionToldBy: r.extensionToldBy,
      extensionToldAt: r.extensionToldAt?.toISOString() ?? null,
      canExtend: isOpen(r.status) && can.ok,
      ...(can.ok ? {} : { cannotExtendBecause: can.reason }),
    };
  }

  /**
   * Art. 12(3): by one or two further months, decided and told to the subject within the first month,
   * with reasons, never beyond three months from receipt.
   */
  async extend(
    id: string,
    { months, reason, toldBy, toldAt }: ExtendRequestDto,
  ): Promise<{ request: DsrRequest; subjectNotified: boolean }> {
    return this.dataSource.transaction(async (m) => {
      const r = await this.lock(m, id);
      if (!isOpen(r.status))
        throw new ProblemError('invalid_transition', `A request that is ${r.status} is not extended.`, {
          currentStatus: r.status,
        });
      const can = canExtend(r.receivedAt, new Date(), r.extensionMonths, months);
      if (!can.ok)
        throw new ProblemError('extension_not_allowed', this.extensionRefusal(can.reason), { reason: can.reason });
      const patch: Partial<DsrRequest> = {
        extensionMonths: months,
        extendedDueAt: computeDueAt(r.receivedAt, { extensionMonths: months }),
        extendedAt: new Date(),
        extensionReasonSealed: this.vault.sealText(r.id, 'extension_reason', reason),
        deadlineState: 'ok',
      };
      Object.assign(r, patch);
      const emailId = await this.notices.extended(m, r, reason);
      // Art. 12(3): "shall inform the data subject of any such extension". An extension nobody told the
      // subject of is not one; the whole change rolls back unless staff record how they told them.
      const told = emailId ? { by: 'email' as const, at: new Date() } : toldOffline(toldBy, toldAt, r.receivedAt);
      await this.repo.update(m, r.id, { ...patch, extensionToldBy: told.by, extensionToldAt: told.at });
      Object.assign(r, { extensionToldBy: told.by, extensionToldAt: told.at });
      await this.audit.append(m, {
        action: 'request.extended',
        targetType: 'request',
        targetId: r.id,
        subjectId: r.subjectId,
        data: { months, extendedDueAt: patch.extendedDueAt!.toISOString(), emailId, toldBy: told.by },
      });
      return { request: r, subjectNotified: emailId !== null };
    });
  }

  /**
   * Art. 19: staff record that a recipient named on the subject's purposes (no registered system) was told of
   * the rectification, erasure or restriction. Recording it again changes nothing.
   */
  async recipientTold(id: string, dto: RecipientToldDto): Promise<DsrRequest> {
    return this.dataSource.transaction(async (m) => {
      const r = await this.lock(m, id);
      const i = r.recipients.findIndex((x) => x.name === dto.name);
      if (i < 0) throw new ProblemError('unknown_recipient', 'This request lists no such recipient to tell.');
      if (r.recipients[i].toldAt) return r;
      const at = new Date(dto.toldAt);
      if (at.getTime() > Date.now() + CLOCK_SKEW_MS || at < r.receivedAt) {
        throw new ProblemError('validation_failed', 'The request is not valid.', {
          errors: [{ field: 'toldAt', message: 'toldAt must lie between the receipt of the request and now' }],
        });
      }
      const recipients = r.recipients.map((x, n) =>
        n === i ? { ...x, toldAt: at.toISOString(), toldBy: dto.toldBy } : x,
      );
      await this.repo.update(m, r.id, { recipients });
      await this.audit.append(m, {
        action: 'request.recipient_told',
        targetType: 'request',
        targetId: r.id,
        subjectId: r.subjectId,
        // A company's name, as listed on the purpose; no person's.
        data: { recipient: dto.name, toldBy: dto.toldBy },
      });
      return Object.assign(r, { recipients });
    });
  }

  async cancel(id: string): Promise<DsrRequest> {
    return this.dataSource.transaction(async (m) => this.transitions.apply(m, await this.lock(m, id), 'cancelled'));
  }

  /**
   * Art. 12(4): the subject is told why, and of the right to complain to UODO and to a court. The notice
   * is queued first; a refused transition rolls it back with everything else.
   */
  async reject(id: string, reason: string): Promise<DsrRequest> {
    return this.dataSource.transaction(async (m) => {
      const r = await this.lock(m, id);
      await this.notices.rejected(m, r, reason);
      return this.transitions.apply(m, r, 'completed', {
        resolution: 'rejected',
        code: REASON_CODES.rejectedByStaff,
        patch: { resolutionReasonSealed: this.vault.sealText(r.id, 'resolution_reason', reason) },
      });
    });
  }

  /** Failed tasks run again under new job ids; the request goes back to work. */
  async retry(id: string): Promise<DsrRequest> {
    return this.dataSource.transaction(async (m) => {
      const r = await this.lock(m, id);
      if (r.status !== 'failed') {
        throw new ProblemError('invalid_transition', `Only a failed request is retried; this one is ${r.status}.`, {
          currentStatus: r.status,
        });
      }
      const retries = r.retries + 1;
      await this.repo.update(m, r.id, { retries });
      r.retries = retries;
      const failed = (await this.repo.tasksOf(r.id, m)).filter((t) => t.status === 'failed');
      for (const t of failed) {
        const generation = t.generation + 1;
        await this.repo.updateTask(m, t.id, { status: 'pending', attempts: 0, generation, completedAt: null });
        if (t.systemKind !== 'manual') {
          await this.outbox.enqueue(m, 'requests.run-task', { taskId: t.id }, { jobId: `task:${t.id}-${generation}` });
        }
      }
      return this.transitions.apply(m, r, 'in_progress', {
        data: { retried: failed.map((t) => t.systemKey), round: retries },
      });
    });
  }

  /** Staff confirmed the identity another way (in a store, by phone with a code sent to the held number). */
  async verify(id: string): Promise<DsrRequest> {
    const peek = await this.get(id);
    const plan = await this.planner.prepareFor(peek);
    return this.dataSource.transaction(async (m) => {
      const r = await this.lock(m, id);
      await this.transitions.apply(m, r, 'verified', { data: { by: 'staff' } });
      await this.notices.received(m, r);
      await this.planner.start(m, r, plan);
      return r;
    });
  }

  async lock(m: EntityManager, id: string): Promise<DsrRequest> {
    const r = await this.repo.lock(m, id);
    if (!r) throw new ProblemError('unknown_request', 'No request with this id.');
    return r;
  }

  private extensionRefusal(reason: string): string {
    return (
      {
        deadline_passed: 'The first month has passed: Art. 12(3) requires the extension to be told within it.',
        already_extended: 'The request has already been extended.',
        too_long: 'An extension may not reach beyond three months from receipt.',
      }[reason] ?? 'The request cannot be extended.'
    );
  }
}
