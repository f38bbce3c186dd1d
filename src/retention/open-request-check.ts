import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OPEN_STATUSES } from '../requests/request-state';
import { DsrRequest } from '../requests/request.entity';

/** What retention needs from the requests module: its open-request state and completion times. */
export interface OpenRequestCheck {
  /**
   * Of these subjects, those with a data-subject request that is not closed yet (LEGAL item 25: an open
   * access request freezes the data as at receipt, so retention must not change it). One query per batch.
   */
  openRequestSubjectIds(subjectIds: string[]): Promise<Set<string>>;
  /** When each subject's latest request was completed, for the `request_completed` trigger. */
  lastCompletedAt(subjectIds: string[]): Promise<Map<string, Date>>;
}

export const OPEN_REQUEST_CHECK = Symbol('OPEN_REQUEST_CHECK');

/**
 * Reads the requests module's table with its own definition of "open" (`OPEN_STATUSES`), so a status the
 * requests module adds is judged the way it judges it. Read-only: retention never writes requests.
 */
@Injectable()
export class RequestsOpenRequestCheck implements OpenRequestCheck {
  constructor(private readonly dataSource: DataSource) {}

  async openRequestSubjectIds(subjectIds: string[]): Promise<Set<string>> {
    if (!subjectIds.length) return new Set();
    const rows = await this.dataSource
      .getRepository(DsrRequest)
      .createQueryBuilder('r')
      .select('DISTINCT r.subjectId', 'subjectId')
      .where('r.subjectId IN (:...ids)', { ids: subjectIds })
      .andWhere('r.status IN (:...open)', { open: OPEN_STATUSES })
      .getRawMany<{ subjectId: string }>();
    return new Set(rows.map((r) => r.subjectId));
  }

  async lastCompletedAt(subjectIds: string[]): Promise<Map<string, Date>> {
    if (!subjectIds.length) return new Map();
    const rows = await this.dataSource
      .getRepository(DsrRequest)
      .createQueryBuilder('r')
      .select('r.subjectId', 'subjectId')
      .addSelect('max(r.completedAt)', 'completedAt')
      .where('r.subjectId IN (:...ids)', { ids: subjectIds })
      .andWhere(`r.status = 'completed' AND r.completedAt IS NOT NULL`)
      .groupBy('r.subjectId')
      .getRawMany<{ subjectId: string; completedAt: Date }>();
    return new Map(rows.map((r) => [r.subjectId, new Date(r.completedAt)]));
  }
}
