import { Injectable } from '@nestjs/common';

/**
 * What retention needs from the requests module, behind a token so neither module imports the other.
 * The requests module provides it (`{ provide: OPEN_REQUEST_CHECK, useExisting: RequestsService }` in
 * RetentionModule, importing RequestsModule); until it does, nobody has open or completed requests.
 */
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

/** Stands in until the requests module provides the real check. */
@Injectable()
export class NoOpenRequests implements OpenRequestCheck {
  openRequestSubjectIds(): Promise<Set<string>> {
    return Promise.resolve(new Set());
  }

  lastCompletedAt(): Promise<Map<string, Date>> {
    return Promise.resolve(new Map());
  }
}
