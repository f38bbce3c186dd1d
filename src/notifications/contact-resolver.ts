/**
 * Looks up where to write to a subject when an e-mail is queued with `subjectId` and no `to`. Resolved at
 * send time, so an address changed (or erased) after queueing is honoured. The subjects module provides
 * it under this token (`{ provide: CONTACT_RESOLVER, useExisting: SubjectLookupService }`).
 */
export const CONTACT_RESOLVER = Symbol('CONTACT_RESOLVER');

export interface SubjectContact {
  email?: string | null;
  locale?: string | null;
}

export interface ContactResolver {
  /** Null (or a `ProblemError`, e.g. unknown or erased subject) when there is no one left to write to. */
  getContact(subjectId: string): Promise<SubjectContact | null>;
}
