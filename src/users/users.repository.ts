import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { StaffUser } from './staff-user.entity';

/** The SQL of staff users; writes take the caller's manager. */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  existsByIndex(m: EntityManager, emailIndex: Buffer): Promise<boolean> {
    return m.getRepository(StaffUser).exists({ where: { emailIndex } });
  }

  /** The id is drawn first because the sealed e-mail's AAD names it. */
  async newId(m: EntityManager): Promise<string> {
    return (await m.query('SELECT gen_random_uuid() AS id'))[0].id as string;
  }

  async insert(m: EntityManager, row: Partial<StaffUser>): Promise<void> {
    const repo = m.getRepository(StaffUser);
    await repo.insert(repo.create(row));
  }

  findOrFail(m: EntityManager, id: string): Promise<StaffUser> {
    return m.getRepository(StaffUser).findOneByOrFail({ id });
  }

  find(id: string, m: EntityManager = this.dataSource.manager): Promise<StaffUser | null> {
    return m.getRepository(StaffUser).findOneBy({ id });
  }

  findByIndex(emailIndex: Buffer, m: EntityManager = this.dataSource.manager): Promise<StaffUser | null> {
    return m.getRepository(StaffUser).findOneBy({ emailIndex });
  }

  /** Newest first, keyset on created_at. */
  list(
    afterCreatedAt: string | undefined,
    limit: number,
    m: EntityManager = this.dataSource.manager,
  ): Promise<StaffUser[]> {
    const qb = m
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .orderBy('u.createdAt', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .limit(limit);
    if (afterCreatedAt) qb.where('u.createdAt < :after', { after: afterCreatedAt });
    return qb.getMany();
  }

  async update(m: EntityManager, id: string, changes: Partial<StaffUser>): Promise<void> {
    await m.getRepository(StaffUser).update(id, changes as never);
  }

  lock(m: EntityManager, id: string): Promise<StaffUser | null> {
    return m.getRepository(StaffUser).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }
}
