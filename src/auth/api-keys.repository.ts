import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiKey } from './api-key.entity';

/** The SQL of API keys; writes take the caller's manager. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Serialises the processes that start at once and each would seed the environment's key. */
  async lockName(m: EntityManager, name: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
  }

  findActiveByName(m: EntityManager, name: string): Promise<ApiKey[]> {
    return m.getRepository(ApiKey).find({ where: { name, revokedAt: IsNull() } });
  }

  /** Only what a principal needs: this runs on every authenticated call. */
  findActiveByHash(keyHash: Buffer, m: EntityManager = this.dataSource.manager): Promise<ApiKey | null> {
    return m
      .getRepository(ApiKey)
      .findOne({ where: { keyHash, revokedAt: IsNull() }, select: { id: true, scopes: true, recordDecisions: true } });
  }

  save(m: EntityManager, row: Partial<ApiKey>): Promise<ApiKey> {
    return m.getRepository(ApiKey).save(m.getRepository(ApiKey).create(row));
  }

  async update(m: EntityManager, id: string, changes: Partial<ApiKey>): Promise<void> {
    await m.getRepository(ApiKey).update(id, changes as never);
  }

  find(id: string): Promise<ApiKey | null> {
    return this.dataSource.getRepository(ApiKey).findOne({ where: { id } });
  }

  lock(m: EntityManager, id: string): Promise<ApiKey | null> {
    return m.getRepository(ApiKey).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Newest first, keyset on created_at. */
  list(
    afterCreatedAt: string | undefined,
    limit: number,
    m: EntityManager = this.dataSource.manager,
  ): Promise<ApiKey[]> {
    const qb = m
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .orderBy('k.createdAt', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .limit(limit);
    if (afterCreatedAt) qb.where('k.createdAt < :after', { after: afterCreatedAt });
    return qb.getMany();
  }
}
