import { Injectable } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { RequestsService } from '../requests';
import { SubjectLookupService } from '../subjects';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What a phone number may look like as staff type it (the lookup normalises it to E.164). */
const PHONE_LIKE = /^\+?[\d\s().-]{6,}$/;

/** Where one search box leads: a request's page, a person's page, or nowhere (and why). */
export type Found = { page: string } | { problem: 'person_not_found' | 'person_ambiguous' };

/**
 * The console's one search box: an e-mail, a phone number, an external id or a request number, matched exactly
 * through the blind indexes (nothing is searched by likeness: the identifiers are stored encrypted). A request
 * number goes to the request; a subject's own id (or one merged into another) to the person.
 */
@Injectable()
export class ConsoleFinder {
  constructor(
    private readonly subjects: SubjectLookupService,
    private readonly requests: RequestsService,
  ) {}

  async find(raw: string): Promise<Found> {
    const q = raw.trim();
    if (UUID.test(q)) {
      const id = q.toLowerCase();
      if (await this.isRequest(id)) return { page: `/console/requests/${id}` };
      const subject = await this.subjects.resolveId(id);
      return subject ? { page: `/console/subjects/${subject}` } : { problem: 'person_not_found' };
    }
    const kinds = q.includes('@')
      ? (['email'] as const)
      : PHONE_LIKE.test(q)
        ? (['phone', 'external_id'] as const)
        : (['external_id'] as const);
    for (const kind of kinds) {
      const ids = await this.subjects.findIdsByIdentifier(kind, q);
      // One external id in two systems may be two people: staff must say which with another identifier.
      if (ids.length > 1) return { problem: 'person_ambiguous' };
      if (ids.length === 1) return { page: `/console/subjects/${ids[0]}` };
    }
    return { problem: 'person_not_found' };
  }

  private async isRequest(id: string): Promise<boolean> {
    try {
      await this.requests.get(id);
      return true;
    } catch (e) {
      // Not a request number: the same id may still be a person's.
      if (e instanceof ProblemError && e.code === 'unknown_request') return false;
      throw e;
    }
  }
}
