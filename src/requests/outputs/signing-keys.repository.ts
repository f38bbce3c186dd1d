import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { RequestSigningKey } from '../request-signing-key.entity';
/** Which output a key signs: certificates (EdDSA) or OpenGDPR responses (RS256). */
export type KeyUse = 'certificate' | 'opengdpr';

@Injectable()
export class SigningKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async lockUse(m: EntityManager, use: KeyUse): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`zgoda:request-signing-key:${use}`]);
  }

  findActive(m: EntityManager, use: KeyUse): Promise<RequestSigningKey | null> {
    return m
      .getRepository(RequestSigningKey)
      .findOne({ where: { use, retiredAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  async insert(m: EntityManager, row: RequestSigningKey): Promise<void> {
    await m.getRepository(RequestSigningKey).insert(row);
  }

  /** Retired keys too: certificates signed with them must still verify. */
  listForUse(use: KeyUse): Promise<RequestSigningKey[]> {
    return this.dataSource.getRepository(RequestSigningKey).find({ where: { use }, order: { createdAt: 'ASC' } });
  }
}
