import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** The SQL of coming of age (Art. 8 as applied in Poland: 16). */
@Injectable()
export class ComingOfAgeRepository {
  /**
   * Up to `limit` subjects whose 16th birthday is `today` or past, their `minor_until` cleared, in `m`. SKIP LOCKED:
   * a subject being written right now is taken next time (its write clears the date anyway).
   */
  async clearOfAge(m: EntityManager, today: string, limit: number): Promise<string[]> {
    const rows = (await m.query(
      `UPDATE subjects SET minor_until = NULL, updated_at = now()
        WHERE id IN (SELECT id FROM subjects WHERE minor_until <= $1::date ORDER BY minor_until LIMIT $2
                     FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [today, limit],
    )) as [{ id: string }[], number];
    // UPDATE ... RETURNING answers [rows, count] through TypeORM's query().
    return rows[0].map((r) => r.id);
  }
}
