import { Injectable, Logger } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { SubjectAddresses, SubjectLookupService } from '../subjects';
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

  private readonly logger = new Logger(AudienceService.name);

  constructor(
    private readonly repo: ConsentRepository,
    private readonly purposes: PurposesRepository,
    private readonly subjects: SubjectLookupService,
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

  /**
   * NDJSON, one chunk per keyset page (one socket write, not one per line). The next page is read and
   * checked while the current one is being written, so the database and the client are never both idle.
   */
  private async *lines(purposeKey: string, channel: Channel, rules: PurposeRules, withContacts: boolean) {
    const size = this.pageSize;
    let next: Promise<PreparedPage> | null = this.prepare(purposeKey, channel, rules, withContacts, null, size);
    while (next) {
      const { chunk, last }: PreparedPage = await next;
      next = last ? this.prepare(purposeKey, channel, rules, withContacts, last, size) : null;
      // A client that leaves stops the stream with this read in flight: its failure then has no reader, and
      // nothing was sent from it. Logged, not rethrown: a read that is awaited fails the stream on its own.
      next?.catch((e: unknown) =>
        this.logger.warn({ err: { name: (e as Error)?.name } }, 'audience page read failed (read ahead)'),
      );
      if (chunk) yield chunk;
    }
  }

  /** One page: its rows, the rules applied to them, the contacts when asked for, as NDJSON text. */
  private async prepare(
    purposeKey: string,
    channel: Channel,
    rules: PurposeRules,
    withContacts: boolean,
    after: string | null,
    size: number,
  ): Promise<PreparedPage> {
    const page = await this.repo.audiencePage(purposeKey, channel, after, size);
    if (!page.length) return { chunk: '', last: null };
    const now = new Date();
    const allowed = page.filter(
      (row) =>
        decide({
          purpose: rules,
          channel,
          subject: {
            status: row.subject_status,
            minorUntil: row.minor_until,
            objectedToDirectMarketing: row.objected,
            objectedToPurpose: row.objected_purpose,
          },
          state: {
            status: 'granted' as never,
            eventId: '',
            lastSeq: '0',
            version: row.version,
            locale: '',
            textSha256: '',
            grantedAt: null,
            confirmedAt: row.confirmed_at,
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
    const contacts =
      withContacts && allowed.length
        ? await this.subjects.getContacts(
            allowed.map((r) => r.subject_id),
            'addresses',
          )
        : new Map<string, SubjectAddresses>();
    let chunk = '';
    for (const row of allowed) {
      // Ids come from a uuid column and need no escaping; contact values go through JSON.stringify.
      chunk += `{"subjectId":"${row.subject_id}"`;
      if (withContacts) {
        const contact = contacts.get(row.subject_id);
        if (contact?.email && channel === Channel.Email) chunk += `,"email":${JSON.stringify(contact.email)}`;
        if (contact?.phone && channel !== Channel.Email && channel !== Channel.Post) {
          chunk += `,"phone":${JSON.stringify(contact.phone)}`;
        }
      }
      chunk += '}\n';
    }
    return { chunk, last: page.length < size ? null : page[page.length - 1].subject_id };
  }
}

interface PreparedPage {
  chunk: string;
  /** The keyset position to continue after; null when this was the last page. */
  last: string | null;
}
