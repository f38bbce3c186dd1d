import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditCheckpoint, AuditSigningKey } from './audit-checkpoint.entity';

/** The SQL of the audit module's signing keys and signed checkpoints. */
@Injectable()
export class AuditCheckpointsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Two workers signing their first checkpoint at once must not both create "the" key. */
  async lockKeys(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('zgoda:audit-signing-key'))`);
  }

  activeKey(m: EntityManager = this.dataSource.manager): Promise<AuditSigningKey | null> {
    return m.getRepository(AuditSigningKey).findOne({ where: { retiredAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  async insertKey(m: EntityManager, key: AuditSigningKey): Promise<void> {
    await m.getRepository(AuditSigningKey).insert(key);
  }

  /** Retires the active key (if any); returns its id. */
  async retireActive(m: EntityManager): Promise<string | null> {
    const rows = (await m.query(
      `UPDATE audit_signing_keys SET retired_at = now() WHERE retired_at IS NULL RETURNING id`,
    )) as [{ id: string }[], number];
    return rows[0][0]?.id ?? null;
  }

  /** Retired keys too: checkpoints signed with them must still verify. */
  keys(): Promise<AuditSigningKey[]> {
    return this.dataSource.getRepository(AuditSigningKey).find({ order: { createdAt: 'ASC' } });
  }

  key(id: string): Promise<AuditSigningKey | null> {
    return this.dataSource.getRepository(AuditSigningKey).findOneBy({ id });
  }

  /** One checkpoint per tree size: a second worker signing the same size adds nothing. */
  async insertCheckpoint(m: EntityManager, c: AuditCheckpoint): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO audit_checkpoints (tree_size, root_hash, issued_at, kid, jws) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tree_size) DO NOTHING RETURNING tree_size`,
      [c.treeSize, c.rootHash, c.issuedAt, c.kid, c.jws],
    )) as unknown[];
    return rows.length > 0;
  }

  latest(m: EntityManager = this.dataSource.manager): Promise<AuditCheckpoint | null> {
    return m.getRepository(AuditCheckpoint).findOne({ where: {}, order: { treeSize: 'DESC' } });
  }
}
