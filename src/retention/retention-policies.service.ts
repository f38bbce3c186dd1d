import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { FieldError, ProblemError } from '../common/problem/problem.error';
import { PurposesService } from '../consent';
import { SystemsService } from '../systems';
import { currentActor } from './current-actor';
import { CreatePolicyDto, UpdatePolicyDto } from './retention-policies.dto';
import { RetentionPoliciesRepository } from './retention-policies.repository';
import { policyErrors } from './retention-policy-rules';
import { RetentionPolicyVersion } from './retention-policy-version.entity';
import { RetentionPolicy } from './retention-policy.entity';
import { policySnapshotOf } from './retention-views';

// DTO field -> entity column, for PATCH.
const FIELDS = {
  dataCategory: 'dataCategory',
  purpose: 'purposeKey',
  system: 'systemKey',
  trigger: 'trigger',
  period: 'period',
  roundToYearEnd: 'roundToYearEnd',
  action: 'action',
  legalBasis: 'legalBasis',
  owner: 'owner',
  active: 'active',
} as const satisfies Record<keyof UpdatePolicyDto, keyof RetentionPolicy>;

/** Policies (LEGAL item 24): every change audited and kept as a version. */
@Injectable()
export class RetentionPoliciesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RetentionPoliciesRepository,
    private readonly purposes: PurposesService,
    private readonly systems: SystemsService,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreatePolicyDto): Promise<RetentionPolicy> {
    const now = new Date();
    const row: RetentionPolicy = {
      id: randomUUID(),
      key: dto.key,
      dataCategory: dto.dataCategory ?? null,
      purposeKey: dto.purpose ?? null,
      systemKey: dto.system ?? null,
      trigger: dto.trigger,
      period: dto.period,
      roundToYearEnd: dto.roundToYearEnd ?? false,
      action: dto.action,
      legalBasis: dto.legalBasis,
      owner: dto.owner ?? null,
      active: dto.active ?? true,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.validate(row);
    await this.dataSource.transaction(async (m) => {
      if (!(await this.repo.insert(m, row))) {
        throw new ProblemError('policy_exists', 'A retention policy with this key already exists.');
      }
      await this.repo.insertVersion(m, this.version(row, Object.keys(FIELDS)));
      await this.audit.append(m, {
        action: 'retention.policy_created',
        targetType: 'retention_policy',
        targetId: row.id,
        data: { key: row.key, version: 1, action: row.action, active: row.active },
      });
    });
    return this.get(row.key);
  }

  /** A PATCH that changes nothing makes no version and no audit entry. */
  async update(key: string, dto: UpdatePolicyDto): Promise<RetentionPolicy> {
    await this.dataSource.transaction(async (m) => {
      const current = await this.repo.lockByKey(m, key);
      if (!current) throw new ProblemError('unknown_policy', 'No retention policy with this key.');
      const next: RetentionPolicy = { ...current };
      const changed: string[] = [];
      for (const [field, column] of Object.entries(FIELDS) as [keyof UpdatePolicyDto, keyof RetentionPolicy][]) {
        const value = dto[field];
        if (value === undefined) continue;
        // Booleans and the required fields cannot be cleared; null there means "no change" is not meant.
        if (value === null && !['dataCategory', 'purpose', 'system', 'owner'].includes(field)) {
          throw new ProblemError('validation_failed', 'The request is not valid.', {
            errors: [{ field, message: `${field} cannot be null` }],
          });
        }
        if (next[column] !== value) {
          (next as unknown as Record<string, unknown>)[column] = value;
          changed.push(field);
        }
      }
      if (!changed.length) return;
      await this.validate(next);
      next.version = current.version + 1;
      const { id: _id, key: _key, createdAt: _c, ...changes } = next;
      await this.repo.update(m, current.id, changes);
      await this.repo.insertVersion(m, this.version(next, changed));
      await this.audit.append(m, {
        action: 'retention.policy_updated',
        targetType: 'retention_policy',
        targetId: current.id,
        data: { key, version: next.version, fields: changed },
      });
    });
    return this.get(key);
  }

  async get(key: string): Promise<RetentionPolicy> {
    const row = await this.repo.findByKey(key);
    if (!row) throw new ProblemError('unknown_policy', 'No retention policy with this key.');
    return row;
  }

  list(afterKey: string | undefined, limit: number, active?: boolean): Promise<RetentionPolicy[]> {
    return this.repo.list(afterKey, limit, active);
  }

  /** The policies actually enforced: what the sweep applies and the register prints (LEGAL item 24). */
  listActive(): Promise<RetentionPolicy[]> {
    return this.repo.listActive();
  }

  async versions(key: string, afterVersion: number | undefined, limit: number): Promise<RetentionPolicyVersion[]> {
    const policy = await this.get(key);
    return this.repo.versions(policy.id, afterVersion, limit);
  }

  private version(p: RetentionPolicy, changedFields: string[]): RetentionPolicyVersion {
    return {
      policyId: p.id,
      version: p.version,
      snapshot: policySnapshotOf(p),
      changedFields,
      changedBy: currentActor(),
      createdAt: new Date(),
    };
  }

  /** 422 with every problem at once: the pure rules, then the purpose and system named. */
  private async validate(p: RetentionPolicy): Promise<void> {
    const errors: FieldError[] = policyErrors({
      dataCategory: p.dataCategory,
      purpose: p.purposeKey,
      system: p.systemKey,
      trigger: p.trigger,
      period: p.period,
      action: p.action,
    });
    if (p.systemKey !== null && !(await this.systems.findByKey(p.systemKey))) {
      errors.push({ field: 'system', message: 'no data system with this key' });
    }
    if (errors.length) throw new ProblemError('validation_failed', 'The policy is not valid.', { errors });
    if (p.purposeKey !== null) {
      try {
        await this.purposes.get(p.purposeKey);
      } catch (e) {
        if (e instanceof ProblemError && e.code === 'purpose_not_found') {
          throw new ProblemError('unknown_purpose', 'No purpose with this key.', {
            errors: [{ field: 'purpose', message: 'no purpose with this key' }],
          });
        }
        throw e;
      }
    }
  }
}
