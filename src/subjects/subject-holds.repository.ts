import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SubjectHold } from './subject-hold.entity';

/** The SQL of legal holds. Writes take the caller's manager. */
@Injectable()
export class SubjectHoldsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Of these subjects, those under an active legal hold: one query for a whole batch. */
  async activeHoldIds(ids: string[], m?: EntityManager): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = (await (m ?? this.dataSource).query(
      `SELECT DISTINCT subject_id FROM subject_holds
        WHERE subject_id = ANY($1::uuid[]) AND released_at IS NULL AND (ends_at IS NULL OR ends_at > now())`,
      [ids],
    )) as { subject_id: string }[];
    return new Set(rows.map((r) => r.subject_id));
  }

  holdsOf(subjectId: string, m?: EntityManager): Promise<SubjectHold[]> {
    return (m ?? this.dataSource.manager)
      .getRepository(SubjectHold)
      .find({ where: { subjectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async hasActiveHold(subjectId: string, m?: EntityManager): Promise<boolean> {
    const rows = (await (m ?? this.dataSource).query(
      `SELECT 1 FROM subject_holds
        WHERE subject_id = $1 AND released_at IS NULL AND (ends_at IS NULL OR ends_at > now()) LIMIT 1`,
      [subjectId],
    )) as unknown[];
    return rows.length > 0;
  }

  async insertHold(m: EntityManager, hold: Partial<SubjectHold>): Promise<void> {
    await m.getRepository(SubjectHold).insert(hold as never);
  }

  findHold(m: EntityManager, subjectId: string, id: string): Promise<SubjectHold | null> {
    return m.getRepository(SubjectHold).findOne({ where: { id, subjectId }, lock: { mode: 'pessimistic_write' } });
  }

  async releaseHold(m: EntityManager, id: string, by: string): Promise<void> {
    await m.getRepository(SubjectHold).update(id, { releasedAt: new Date(), releasedBy: by });
  }

  async moveHolds(m: EntityManager, fromId: string, toId: string): Promise<SubjectHold[]> {
    const holds = await this.holdsOf(fromId, m);
    await m.getRepository(SubjectHold).update({ subjectId: fromId }, { subjectId: toId });
    return holds;
  }

  async updateHoldReason(m: EntityManager, id: string, reasonEnc: Buffer | null): Promise<void> {
    await m.getRepository(SubjectHold).update(id, { reasonEnc });
  }
}
