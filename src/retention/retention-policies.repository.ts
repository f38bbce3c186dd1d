import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RetentionPolicyVersion } from './retention-policy-version.entity';
import { RetentionPolicy } from './retention-policy.entity';

/** The SQL of retention policies; writes take the caller's manager. */
@Injectable()
export class RetentionPoliciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the key is taken (ON CONFLICT waits for a concurrent insert of the same key). */
  async insert(m: EntityManager, row: RetentionPolicy): Promise<boolean> {
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(RetentionPolicy)
      .values(row)
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  lockByKey(m: EntityManager, key: string): Promise<RetentionPolicy | null> {
    return m.getRepository(RetentionPolicy).findOne({ where: { key }, lock: { mode: 'pessimistic_write' } });
  }

  async update(m: EntityManager, id: string, changes: Partial<RetentionPolicy>): Promise<void> {
    await m.getRepository(RetentionPolicy).update(id, { ...changes, updatedAt: new Date() } as never);
  }

  async insertVersion(m: EntityManager, row: RetentionPolicyVersion): Promise<void> {
    await m.getRepository(RetentionPolicyVersion).insert(row as never);
  }

  findByKey(key: string): Promise<RetentionPolicy | null> {
    return this.dataSource.getRepository(RetentionPolicy).findOne({ where: { key } });
  }

  list(afterKey: string | undefined, limit: number, active?: boolean): Promise<RetentionPolicy[]> {
    const qb = this.dataSource.getRepository(RetentionPolicy).createQueryBuilder('p').orderBy('p.key').limit(limit);
    if (afterKey) qb.andWhere('p.key > :afterKey', { afterKey });
    if (active !== undefined) qb.andWhere('p.active = :active', { active });
    return qb.getMany();
  }

  listActive(m: EntityManager = this.dataSource.manager): Promise<RetentionPolicy[]> {
    return m.getRepository(RetentionPolicy).find({ where: { active: true }, order: { key: 'ASC' } });
  }

  versions(policyId: string, afterVersion: number | undefined, limit: number): Promise<RetentionPolicyVersion[]> {
    const qb = this.dataSource
      .getRepository(RetentionPolicyVersion)
      .createQueryBuilder('v')
      .where('v.policyId = :policyId', { policyId })
      .orderBy('v.version', 'DESC')
      .limit(limit);
    if (afterVersion !== undefined) qb.andWhere('v.version < :afterVersion', { afterVersion });
    return qb.getMany();
  }
}
