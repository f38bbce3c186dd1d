import { Injectable } from '@nestjs/common';
import { OpenRequestsService } from '../requests';

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
 * Asks the requests module, which judges "open" by its own statuses, so a status it adds is judged the
 * way it judges it. Read-only: retention never writes requests.
 */
@Injectable()
export class RequestsOpenRequestCheck implements OpenRequestCheck {
  constructor(private readonly requests: OpenRequestsService) {}

  openRequestSubjectIds(subjectIds: string[]): Promise<Set<string>> {
    return this.requests.openRequestSubjectIds(subjectIds);
  }

  lastCompletedAt(subjectIds: string[]): Promise<Map<string, Date>> {
    return this.requests.lastCompletedAt(subjectIds);
  }
}
