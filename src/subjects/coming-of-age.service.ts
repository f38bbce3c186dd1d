import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobHandler } from '../jobs';
import { ComingOfAgeRepository } from './coming-of-age.repository';
import { SubjectHooks } from './subject-hooks';
import { todayUtc } from './subject-rules';

const BATCH = 500;

/**
 * Job `subjects.came-of-age` (daily): a subject who turned 16 may now consent themselves (Art. 8). The decision
 * already counts from the day itself; this clears the stored day (the one fact that revealed a birth date) and
 * tells the modules that follow such changes (the consent change feed), in the same transaction.
 */
@Injectable()
export class ComingOfAge {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ComingOfAgeRepository,
    private readonly hooks: SubjectHooks,
  ) {}

  @JobHandler('subjects.came-of-age')
  async sweep(): Promise<{ cameOfAge: number }> {
    const today = todayUtc();
    let total = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (m) => {
        const ids = await this.repo.clearOfAge(m, today, BATCH);
        for (const subjectId of ids) await this.hooks.runChanged(m, { subjectId, change: 'came_of_age' });
        return ids.length;
      });
      total += n;
      if (n < BATCH) return { cameOfAge: total };
    }
  }
}
