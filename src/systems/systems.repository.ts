import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { System } from './system.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SealedWebhook {
  id: string;
  webhookUrl: string;
  webhookSecret: Buffer;
  webhookPreviousSecret: Buffer | null;
  webhookSecretRotatedAt: Date | null;
}

@Injectable()
export class SystemsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts unless the key is taken; false when it is. */
  async insert(m: EntityManager, row: Partial<System>): Promise<boolean> {
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(System)
      .values(row as never)
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** By key, or by id when given a uuid. */
  findByKeyOrId(keyOrId: string, m?: EntityManager, lock = false): Promise<System | null> {
    const where = UUID.test(keyOrId) ? { id: keyOrId } : { key: keyOrId };
    return (m ?? this.dataSource.manager)
      .getRepository(System)
      .findOne({ where, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  findByKey(key: string): Promise<System | null> {
    return this.dataSource.getRepository(System).findOne({ where: { key } });
  }

  list(afterKey: string | undefined, limit: number): Promise<System[]> {
    const qb = this.dataSource.getRepository(System).createQueryBuilder('s').orderBy('s.key', 'ASC').limit(limit);
    if (afterKey) qb.where('s.key > :afterKey', { afterKey });
    return qb.getMany();
  }

  listActive(): Promise<System[]> {
    return this.dataSource.getRepository(System).find({ where: { active: true }, order: { key: 'ASC' } });
  }

  async update(m: EntityManager, id: string, changes: Partial<System>): Promise<void> {
    await m.getRepository(System).update(id, { ...changes, updatedAt: new Date() } as never);
  }

  async sealedWebhooks(): Promise<SealedWebhook[]> {
    const rows = await this.dataSource
      .getRepository(System)
      .createQueryBuilder('s')
      .where('s.webhookSecret IS NOT NULL AND s.webhookUrl IS NOT NULL')
      .getMany();
    return rows as SealedWebhook[];
  }

  /** Compare-and-set, so a rotation never overwrites a secret changed through the API meanwhile. */
  async replaceSealed(
    id: string,
    column: 'webhookSecret' | 'webhookPreviousSecret',
    old: Buffer,
    next: Buffer,
  ): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(System)
      .createQueryBuilder()
      .update()
      .set({ [column]: next })
      .where(`id = :id AND ${column === 'webhookSecret' ? 'webhook_secret' : 'webhook_previous_secret'} = :old`, {
        id,
        old,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
