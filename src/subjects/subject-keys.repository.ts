import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { SubjectKey } from './subject-key.entity';

/** The SQL of subjects' data keys: reads and deletion, and master key rotation's rewrapping. */
@Injectable()
export class SubjectKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  findKey(subjectId: string, m?: EntityManager): Promise<SubjectKey | null> {
    return (m ?? this.dataSource.manager).getRepository(SubjectKey).findOne({ where: { subjectId } });
  }

  keysOf(m: EntityManager, subjectIds: string[]): Promise<SubjectKey[]> {
    return m.getRepository(SubjectKey).find({ where: { subjectId: In(subjectIds) } });
  }

  async deleteKey(m: EntityManager, subjectId: string): Promise<void> {
    await m.getRepository(SubjectKey).delete({ subjectId });
  }

  /** A keyset page of keys wrapped under another master key version than `current`. */
  async staleKeys(
    m: EntityManager,
    current: number,
    after: string,
    limit: number,
  ): Promise<{ subject_id: string; wrapped_key: Buffer; key_version: number }[]> {
    return (await m.query(
      `SELECT subject_id, wrapped_key, key_version FROM subject_keys
          WHERE key_version <> $1 AND subject_id > $2 ORDER BY subject_id LIMIT $3`,
      [current, after, limit],
    )) as { subject_id: string; wrapped_key: Buffer; key_version: number }[];
  }

  /**
   * One statement per batch, compare-and-set on the old version: a key erased or merged away meanwhile
   * (row gone) or rewrapped by a concurrent run is left alone, and no lock is held between batches.
   * Returns the number of keys rewrapped.
   */
  async rewrapKeys(
    m: EntityManager,
    rows: { id: string; wrapped: Buffer; old: number }[],
    current: number,
  ): Promise<number> {
    const [updated] = (await m.query(
      `UPDATE subject_keys k SET wrapped_key = v.wrapped, key_version = $4, rewrapped_at = now()
         FROM unnest($1::uuid[], $2::bytea[], $3::int[]) AS v(id, wrapped, old)
        WHERE k.subject_id = v.id AND k.key_version = v.old
        RETURNING k.subject_id`,
      [rows.map((r) => r.id), rows.map((r) => r.wrapped), rows.map((r) => r.old), current],
    )) as [unknown[], number];
    return updated.length;
  }

  async countStale(m: EntityManager, current: number): Promise<number> {
    const [{ remaining }] = (await m.query(
      `SELECT count(*)::int AS remaining FROM subject_keys WHERE key_version <> $1`,
      [current],
    )) as { remaining: number }[];
    return remaining;
  }
}
