import { Injectable } from '@nestjs/common';
import { DecisionRowsService } from './decision-rows.service';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { AGE_OF_DIGITAL_CONSENT } from './consent.types';
import { CreatePurposeDto, UpdatePurposeDto } from './purposes.dto';
import { Purpose } from './purpose.entity';
import { PurposesRepository } from './purposes.repository';

const NULLABLE: ReadonlySet<string> = new Set([
  'description',
  'specialCategoryBasis',
  'validityDays',
  'retention',
  'automatedDecisions',
]);

/** The purpose's fields the decision rules read (`PurposeRules` and the channels offered). */
const DECISION_FIELDS = new Set(['legalBasis', 'marketing', 'minimumAge', 'reconsentFromVersion', 'channels']);

@Injectable()
export class PurposesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purposes: PurposesRepository,
    private readonly audit: AuditService,
    private readonly decisions: DecisionRowsService,
  ) {}

  async create(dto: CreatePurposeDto): Promise<Purpose> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.purposes.insertIfAbsent(m, {
        key: dto.key,
        name: dto.name,
        description: dto.description ?? null,
        legalBasis: dto.legalBasis,
        specialCategoryBasis: dto.specialCategoryBasis ?? null,
        dataCategories: dto.dataCategories,
        subjectCategories: dto.subjectCategories,
        recipients: dto.recipients,
        processors: dto.processors,
        transfers: dto.transfers,
        channels: dto.channels,
        minimumAge: dto.minimumAge ?? AGE_OF_DIGITAL_CONSENT,
        validityDays: dto.validityDays ?? null,
        doubleOptIn: dto.doubleOptIn ?? false,
        marketing: dto.marketing ?? false,
        saleOrSharing: dto.saleOrSharing ?? false,
        retention: dto.retention ?? null,
        automatedDecisions: dto.automatedDecisions ?? null,
        currentVersion: null,
        reconsentFromVersion: 0,
      });
      if (!row) throw new ProblemError('purpose_exists', 'A purpose with this key exists.', { key: dto.key });
      await this.audit.append(m, {
        action: 'purpose.created',
        targetType: 'purpose',
        targetId: row.key,
        data: { legalBasis: row.legalBasis, channels: row.channels },
      });
      return row;
    });
  }

  async get(key: string): Promise<Purpose> {
    const row = await this.purposes.findByKey(key);
    if (!row) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
    return row;
  }

  list(afterKey: string | undefined, limit: number): Promise<Purpose[]> {
    return this.purposes.listAfter(afterKey, limit);
  }

  async update(key: string, dto: UpdatePurposeDto): Promise<Purpose> {
    const patch = Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as Partial<Purpose>;
    const cleared = Object.entries(patch).filter(([k, v]) => v === null && !NULLABLE.has(k));
    if (cleared.length) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: cleared.map(([field]) => ({ field, message: `${field} cannot be null` })),
      });
    }
    return this.dataSource.transaction(async (m) => {
      const row = await this.purposes.lockByKey(m, key);
      if (!row) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
      const changed = Object.keys(patch).filter(
        (k) => JSON.stringify(patch[k as keyof Purpose]) !== JSON.stringify(row[k as keyof Purpose]),
      );
      if (!changed.length) return row;
      await this.purposes.update(m, row.id, patch);
      // A change of the rules decides the purpose's kept rows again (issue 16); a new description or recipient list
      // leaves every decision as it is, and costs no pass over the purpose's subjects.
      if (changed.some((field) => DECISION_FIELDS.has(field))) await this.decisions.refreshPurpose(m, key);
      // Field names only: the values are in the purpose itself, and the audit log must stay small.
      await this.audit.append(m, {
        action: 'purpose.updated',
        targetType: 'purpose',
        targetId: key,
        data: { fields: changed.sort() },
      });
      return (await this.purposes.findByKey(key, m))!;
    });
  }
}
