import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ReceiptSigningKey } from './receipt-signing-key.entity';

const KEY_LOCK = 'zgoda:receipt-signing-key';

/** The SQL of the consent receipts' signing keys. */
@Injectable()
export class ReceiptKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Two replicas starting or rotating at once must not both create "the" active key. */
  async lock(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [KEY_LOCK]);
  }

  all(m: EntityManager = this.dataSource.manager): Promise<ReceiptSigningKey[]> {
    return m.getRepository(ReceiptSigningKey).find({ order: { createdAt: 'ASC' } });
  }

  findActive(m: EntityManager = this.dataSource.manager): Promise<ReceiptSigningKey | null> {
    return m.getRepository(ReceiptSigningKey).findOne({ where: { retiredAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  /** Retires every active key; returns their ids. */
  async retireActive(m: EntityManager): Promise<string[]> {
    const retired = await m
      .getRepository(ReceiptSigningKey)
      .find({ where: { retiredAt: IsNull() }, select: { id: true } });
    if (retired.length) {
      await m.getRepository(ReceiptSigningKey).update({ retiredAt: IsNull() }, { retiredAt: new Date() });
    }
    return retired.map((r) => r.id);
  }

  /** The id is drawn first so the private key can be sealed with it as associated data. */
  async newId(m: EntityManager): Promise<string> {
    const [{ id }] = (await m.query(`SELECT gen_random_uuid() AS id`)) as { id: string }[];
    return id;
  }

  async insert(m: EntityManager, row: Partial<ReceiptSigningKey>): Promise<void> {
    await m.getRepository(ReceiptSigningKey).insert(row as never);
  }
}
