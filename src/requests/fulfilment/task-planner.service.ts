import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../audit';
import { ConsentQueryService, PurposesService } from '../../consent';
import { OutboxService } from '../../outbox';
import { keptCategories, SubjectLookupService, SubjectRightsService } from '../../subjects';
import type { ActiveHold } from '../../subjects';
import { ZGODA_SYSTEM_KEY } from '../../systems';
import type { SystemRecord } from '../../systems';
import { SystemsService } from '../../systems';
import { RequestTask, RetainedCategory } from '../request-task.entity';
import { RequestTransitions } from '../request-transitions.service';
import { RequestDetails, RequestVault, TaskSubject } from '../request-vault.service';
import { DsrRequest } from '../request.entity';
import { ART19_TYPES, PORTABILITY_SCOPE, TASK_ACTION_OF } from '../request.types';
import { RequestsRepository } from '../requests.repository';
import { isManual } from './request-progress';
import { isDirectMarketingObjection } from './zgoda-executor';

export interface Plan {
  systems: Pick<SystemRecord, 'id' | 'key' | 'kind' | 'dataCategories'>[];
  subject: TaskSubject | null;
  /** Art. 19: recipients named on the subject's purposes that no system planned here stands for. */
  recipients?: string[];
  /** An erasure's legal holds in force when it was planned (Art. 17(3)): each system is told what to keep. */
  holds?: ActiveHold[];
}

/** What the holds keep of a system's categories, as stored on its task; null when nothing. */
export function keptFor(holds: readonly ActiveHold[], categories: readonly string[]): RetainedCategory[] | null {
  const kept = keptCategories(holds, categories);
  return kept.length
    ? kept.map((k) => ({ category: k.category, legalBasis: k.legalBasis, until: k.until?.toISOString() ?? null }))
    : null;
}

const sameName = (a: string, b: string | null) => !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Decides which data systems take part in a verified request (Art. 19: every recipient of the data) and
 * starts them: one task each, one job each through the outbox (job id `task:<taskId>`), in the
 * transaction that verifies the request.
 */
@Injectable()
export class TaskPlanner {
  constructor(
    private readonly repo: RequestsRepository,
    private readonly systems: SystemsService,
    private readonly subjects: SubjectLookupService,
    private readonly subjectRights: SubjectRightsService,
    private readonly purposes: PurposesService,
    private readonly consent: ConsentQueryService,
    private readonly vault: RequestVault,
    private readonly transitions: RequestTransitions,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  /** Reads, before the transaction: the systems and the identifiers each system will be sent. */
  async prepare(request: Pick<DsrRequest, 'type' | 'subjectId'>, details: RequestDetails | null): Promise<Plan> {
    const active = await this.systems.listActive();
    let chosen: SystemRecord[];
    if (request.type === 'objection') {
      // Art. 21: only systems processing for the purposes objected to; for direct marketing, the
      // marketing purposes.
      const named = new Set((details?.purposes ?? []).filter((p) => p !== 'direct_marketing'));
      if (isDirectMarketingObjection(details)) {
        for (const p of await this.purposes.list(undefined, 1000)) if (p.marketing) named.add(p.key);
      }
      chosen = active.filter((s) => s.key === ZGODA_SYSTEM_KEY || s.purposes.some((p) => named.has(p)));
    } else if (request.type === 'portability') {
      // Art. 20(1)(a): only systems processing for a purpose based on consent or a contract hold data in scope.
      const inScope = new Set(
        (await this.purposes.list(undefined, 1000))
          .filter((p) => (PORTABILITY_SCOPE.legalBases as readonly string[]).includes(p.legalBasis))
          .map((p) => p.key),
      );
      chosen = active.filter((s) => s.key === ZGODA_SYSTEM_KEY || s.purposes.some((p) => inScope.has(p)));
    } else {
      chosen = active.filter((s) => s.key === ZGODA_SYSTEM_KEY || s.dataCategories.length > 0);
    }
    const profile = request.subjectId ? await this.subjects.getProfile(request.subjectId) : null;
    let subject: TaskSubject | null = null;
    if (profile) {
      subject = {
        id: profile.id,
        identifiers: profile.identifiers.map((i) => ({
          kind: i.kind,
          value: i.value,
          ...(i.system ? { system: i.system } : {}),
        })),
      };
    } else if (details?.identities?.length) {
      subject = { id: null, identifiers: details.identities };
    }
    const recipients =
      ART19_TYPES.includes(request.type) && request.subjectId
        ? await this.namedRecipients(request.subjectId, chosen)
        : [];
    const holds =
      request.type === 'erasure' && request.subjectId ? await this.subjectRights.activeHolds(request.subjectId) : [];
    return { systems: chosen, subject, recipients, holds };
  }

  /**
   * Art. 19: the recipients named on the purposes the subject has a consent record for, other than those a
   * planned system stands for (by its name or its processor's): staff must tell them and record it.
   */
  private async namedRecipients(subjectId: string, chosen: SystemRecord[]): Promise<string[]> {
    const mine = new Set(
      (await this.consent.states(subjectId)).filter((s) => s.status !== 'none').map((s) => s.purpose),
    );
    const names = new Set<string>();
    for (const p of await this.purposes.list(undefined, 1000)) {
      if (!mine.has(p.key)) continue;
      for (const r of p.recipients) {
        if (!chosen.some((s) => sameName(r, s.name) || sameName(r, s.processorName))) names.add(r.trim());
      }
    }
    return [...names].sort();
  }

  /** `prepare` for a stored request, whose details are sealed on it. */
  prepareFor(request: DsrRequest): Promise<Plan> {
    return this.prepare(request, this.vault.openJson<RequestDetails>(request.id, 'details', request.detailsSealed));
  }

  /** `request` is verified and locked in `m`; moves it to in_progress with its tasks. */
  async start(m: EntityManager, request: DsrRequest, plan: Plan): Promise<RequestTask[]> {
    const action = TASK_ACTION_OF[request.type];
    const tasks = plan.systems.map((s) => {
      const id = randomUUID();
      return {
        id,
        requestId: request.id,
        systemId: s.id,
        systemKey: s.key,
        systemKind: s.kind,
        action,
        status: 'pending',
        categories: s.dataCategories,
        retainedCategories: keptFor(plan.holds ?? [], s.dataCategories),
        // Snapshot of the identifiers: an erasure in Zgoda may run before a slower system is told.
        subjectSealed: s.kind === 'webhook' && plan.subject ? this.vault.sealTask(id, 'subject', plan.subject) : null,
      } as RequestTask;
    });
    await this.repo.insertTasks(m, tasks);
    if (plan.recipients?.length) {
      const recipients = plan.recipients.map((name) => ({ name, toldAt: null, toldBy: null }));
      await this.repo.update(m, request.id, { recipients });
      request.recipients = recipients;
    }
    await this.transitions.apply(m, request, 'in_progress');
    for (const t of tasks) {
      if (!isManual(t)) await this.outbox.enqueue(m, 'requests.run-task', { taskId: t.id }, { jobId: `task:${t.id}` });
    }
    await this.audit.append(m, {
      action: 'request.tasks_planned',
      targetType: 'request',
      targetId: request.id,
      subjectId: request.subjectId,
      data: { systems: tasks.map((t) => t.systemKey), action, recipientsToTell: plan.recipients?.length ?? 0 },
    });
    return tasks;
  }
}
