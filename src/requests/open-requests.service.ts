import { Injectable } from '@nestjs/common';
import { OpenRequestsRepository } from './open-requests.repository';

/**
 * What retention needs from the requests module, judged with the module's own definition of "open"
 * (`OPEN_STATUSES`), so a status added here is judged the way the requests module judges it. Read-only.
 */
@Injectable()
export class OpenRequestsService {
  constructor(private readonly repo: OpenRequestsRepository) {}

  /**
   * Of these subjects, those with a data-subject request that is not closed yet (LEGAL item 25: an open
   * access request freezes the data as at receipt). One query per call.
   */
  async openRequestSubjectIds(subjectIds: string[]): Promise<Set<string>> {
    if (!subjectIds.length) return new Set();
    return new Set(await this.repo.subjectsWithOpenRequest(subjectIds));
  }

  /** When each subject's latest request was completed. */
  async lastCompletedAt(subjectIds: string[]): Promise<Map<string, Date>> {
    if (!subjectIds.length) return new Map();
    const rows = await this.repo.lastCompletedAt(subjectIds);
    return new Map(rows.map((r) => [r.subjectId, new Date(r.completedAt)]));
  }
}
