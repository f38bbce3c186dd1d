import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyRecord } from './idempotency-record.entity';

export interface IdempotencyClaim {
  principalId: string;
  key: string;
  route: string;
  requestHash: string;
}

/** The SQL of the Idempotency-Key store. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the key is already claimed: the primary key makes the claim atomic. */
  async claim(claim: IdempotencyClaim, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const claimed = await m
      .getRepository(IdempotencyRecord)
      .createQueryBuilder()
      .insert()
      .values(claim)
      .orIgnore()
      .returning(['key'])
      .execute();
    return (claimed.raw as unknown[]).length > 0;
  }

  async saveResponse(
    principalId: string,
    key: string,
    responseStatus: number,
    responseBody: unknown,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m
      .getRepository(IdempotencyRecord)
      .update({ principalId, key }, { responseStatus, responseBody: responseBody as never });
  }

  async release(principalId: string, key: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.getRepository(IdempotencyRecord).delete({ principalId, key });
  }

  find(
    principalId: string,
    key: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<IdempotencyRecord | null> {
    return m.getRepository(IdempotencyRecord).findOne({ where: { principalId, key } });
  }
}
