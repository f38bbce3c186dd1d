import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { requestContext } from '../common/context/request-context';
import { ProblemError } from '../common/problem/problem.error';
import { applyBreachInput, BreachInput, EMPTY_BREACH } from './breach-changes';
import { BreachEvent, BreachEventType } from './breach-event.entity';
import { Breach } from './breach.entity';
import { BreachesRepository, BreachFilter } from './breaches.repository';

/** Who acts, as the audit log records it: a kind and an id, never a name. */
export function currentActor(): { type: string; id: string } {
  const p = requestContext.get()?.principal;
  return p ? { type: p.kind, id: p.id } : { type: 'system', id: 'zgoda' };
}

@Injectable()
export class BreachesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: BreachesRepository,
    private readonly audit: AuditService,
  ) {}

  async create(input: BreachInput & Pick<Required<BreachInput>, 'description' | 'awareAt' | 'reportedBy'>) {
    const { next, changes } = applyBreachInput(EMPTY_BREACH, input, new Date());
    return this.dataSource.transaction(async (m) => {
      const row = await this.repo.insert(m, next);
      await this.record(m, row.id, 'created', changes, 'breach.created');
      return row;
    });
  }

  async update(id: string, input: BreachInput): Promise<Breach> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.lock(m, id);
      const { next, changes } = applyBreachInput(current, input, new Date());
      if (!Object.keys(changes).length) return current;
      await this.repo.update(m, id, next);
      await this.record(m, id, 'updated', changes, 'breach.updated');
      return { ...current, ...next, updatedAt: new Date() };
    });
  }

  async get(id: string): Promise<Breach> {
    const row = await this.repo.findById(id);
    if (!row) throw new ProblemError('unknown_breach', 'No breach with this id.');
    return row;
  }

  list(filter: BreachFilter): Promise<Breach[]> {
    return this.repo.list(filter);
  }

  async history(id: string, afterSeq: string | undefined, limit: number): Promise<BreachEvent[]> {
    await this.get(id);
    return this.repo.listEvents(id, afterSeq, limit);
  }

  async lock(m: EntityManager, id: string): Promise<Breach> {
    const row = await this.repo.lockById(m, id);
    if (!row) throw new ProblemError('unknown_breach', 'No breach with this id.');
    return row;
  }

  /**
   * The history keeps the values (they describe the incident, not a person); the audit log keeps only the
   * names of the fields that changed, as it does for every module.
   */
  async record(
    m: EntityManager,
    breachId: string,
    type: BreachEventType,
    data: Record<string, unknown>,
    action: string,
    auditData: Record<string, unknown> = { fields: Object.keys(data) },
  ): Promise<void> {
    await this.repo.appendEvent(m, { breachId, type, actor: currentActor(), data });
    await this.audit.append(m, { action, targetType: 'breach', targetId: breachId, data: auditData });
  }
}
