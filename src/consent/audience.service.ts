import { Injectable } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { SubjectContact, SubjectsService } from '../subjects/subjects.service';
import { decide, PurposeRules } from './consent-rules';
import { Channel } from './consent.types';
import { ConsentRepository } from './consent.repository';
import { PurposesRepository } from './purposes.repository';

/**
 * Who may be contacted now for a purpose on a channel: keyset pages over the projection, each checked
 * against the subject facts with the same rules as a single decision. Memory stays at one page.
 */
@Injectable()
export class AudienceService {
  /** Rows per keyset page; one page is all the stream ever holds. */
  pageSize = 1000;

  constructor(
    private readonly repo: ConsentRepository,
    private readonly purposes: PurposesRepository,
    private readonly subjects: SubjectsService,
  ) {}

  /** Validates first (so errors are still problem+json), then yields NDJSON lines. */
  async open(purposeKey: string, channel: Channel, withContacts: boolean): Promise<AsyncGenerator<string>> {
    const purpose = await this.purposes.findByKey(purposeKey);
    if (!purpose) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
    if (!purpose.channels.includes(channel)) {
      throw new ProblemError('channel_not_offered', 'The purpose does not offer this channel.');
    }
    const rules: PurposeRules = {
      legalBasis: purpose.legalBasis,
      marketing: purpose.marketing,
      minimumAge: purpose.minimumAge,
      reconsentFromVersion: purpose.reconsentFromVersion,
    };
    return this.lines(purposeKey, channel, rules, withContacts);
  }

  private async *lines(purposeKey: string, channel: Channel, rules: PurposeRules, withContacts: boolean) {
    let after: string | null = null;
    const size = this.pageSize;
    for (;;) {
      const page = await this.repo.audiencePage(purposeKey, channel, after, size);
      if (!page.length) return;
      const facts = await this.subjects.getDecisionFacts(page.map((r) => r.subject_id));
      const now = new Date();
      const allowed = page.filter(
        (row) =>
          decide({
            purpose: rules,
            channel,
            subject: facts.get(row.subject_id),
            state: {
              status: 'granted' as never,
              eventId: '',
              lastSeq: '0',
              version: row.version,
              locale: '',
              textSha256: '',
              grantedAt: null,
              confirmedAt: null,
              expiresAt: null,
              pending: false,
              expressedBy: row.expressed_by,
              suppressed: row.suppressed,
            },
            grantedOnOtherChannel: false,
            identifierSuppressed: false,
            now,
          }).allowed,
      );
      // One batch per page, not a lookup per subject: a 200,000-line audience is 200 reads, not 200,000.
      const contacts = withContacts
        ? await this.subjects.getContacts(allowed.map((r) => r.subject_id))
        : new Map<string, SubjectContact>();
      for (const row of allowed) {
        const line: Record<string, unknown> = { subjectId: row.subject_id };
        if (withContacts) {
          const contact = contacts.get(row.subject_id);
          if (contact?.email && channel === Channel.Email) line.email = contact.email;
          if (contact?.phone && channel !== Channel.Email && channel !== Channel.Post) line.phone = contact.phone;
        }
        yield `${JSON.stringify(line)}\n`;
      }
      if (page.length < size) return;
      after = page[page.length - 1].subject_id;
    }
  }
}
