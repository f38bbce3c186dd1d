import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OPEN_STATUSES } from './request-state';
import { DsrRequest } from './request.entity';

/** The reads other modules make of the requests table: open requests and completion times per subject. */
@Injectable()
export class OpenRequestsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async subjectsWithOpenRequest(subjectIds: string[]): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(DsrRequest)
      .createQueryBuilder('r')
      .select('DISTINCT r.subjectId', 'subjectId')
      .where('r.subjectId IN (:...ids)', { ids: subjectIds })
      .andWhere('r.status IN (:...open)', { open: OPEN_STATUSES })
      .getRawMany<{ subjectId: string }>();
    return rows.map((r) => r.subjectId);
  }

  lastCompletedAt(subjectIds: string[]): Promise<{ subjectId: string; completedAt: Date }[]> {
    return this.dataSource
      .getRepository(DsrRequest)
      .createQueryBuilder('r')
      .select('r.subjectId', 'subjectId')
      .addSelect('max(r.completedAt)', 'completedAt')
      .where('r.subjectId IN (:...ids)', { ids: subjectIds })
      .andWhere(`r.status = 'completed' AND r.completedAt IS NOT NULL`)
      .groupBy('r.subjectId')
      .getRawMany<{ subjectId: string; completedAt: Date }>();
  }
}
