import { Injectable, Logger } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { SubjectAddresses, SubjectLookupService } from '../subjects';
import { consentRequired, decide, PurposeRules } from './consent-rules';
import { NIL_UUID } from './consent-decision.sql';
import { Channel } from './consent.types';
import { ConsentRepository } from './consent.repository';
import { DecisionRowsRepository } from './decision-rows.repository';
import { factsFromRow, stateFromRow } from './decision-inputs';
import { PurposesRepository } from './purposes.repository';

/** The subjects of one keyset page that may be contacted, and where the next page starts (null: this was the last). */
interface AllowedPage {
  allowed: string[];
  last: string | null;
}

/**
 * Who may be contacted now for a purpose on a channel, in keyset pages; memory stays at one page. Issue 16 item 1:
 * where the answer needs a consent, the pages are the kept decision rows that say granted (a row past `valid_until`
 * decided again), once every state has its rows; otherwise the projection's current grants, each checked against
 * the subject facts with the same rules as a single decision. A purpose on another basis keeps the second way: its
 * rows say `legal_basis` for everyone with a state, where the audience lists those with a current grant.
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
    private readonly kept: DecisionRowsRepository,
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
    const read =
      consentRequired(rules, channel) && (await this.kept.built())
        ? (after: string, size: number) => this.keptPage(purposeKey, channel, rules, after, size)
        : (after: string, size: number) => this.livePage(purposeKey, channel, rules, after, size);
    return this.lines(channel, withContacts, read);
  }

  /**
   * NDJSON, one chunk per keyset page (one socket write, not one per line). The next page is read and
   * checked while the current one is being written, so the database and the client are never both idle.
   */
  private async *lines(
    channel: Channel,
    withContacts: boolean,
    read: (after: string, size: number) => Promise<AllowedPage>,
  ) {
    const size = this.pageSize;
    const prepare = (after: string) => read(after, size).then((page) => this.prepare(channel, withContacts, page));
    let next: Promise<PreparedPage> | null = prepare(NIL_UUID);
    while (next) {
      const { chunk, last }: PreparedPage = await next;
      next = last ? prepare(last) : null;
      // A client that leaves stops the stream with this read in flight: its failure then has no reader, and
      // nothing was sent from it. Logged, not rethrown: a read that is awaited fails the stream on its own.
      next?.catch((e: unknown) =>
        this.logger.warn({ err: { name: (e as Error)?.name } }, 'audience page read failed (read ahead)'),
      );
      if (chunk) yield chunk;
    }
  }

  /** A page of the kept rows; those past `valid_until` decided again from the subject and its states. */
  private async keptPage(
    purposeKey: string,
    channel: Channel,
    rules: PurposeRules,
    after: string,
    size: number,
  ): Promise<AllowedPage> {
    const page = await this.kept.audiencePage(purposeKey, channel, after, size);
    const stale = page.filter((r) => r.stale).map((r) => r.subject_id);
    const now = new Date();
    const allowedAgain = new Set<string>();
    for (const r of await this.repo.batchByIds(purposeKey, channel, stale)) {
      const outcome = decide({
        purpose: rules,
        channel,
        subject: factsFromRow(r),
        state: r.status === null ? undefined : stateFromRow(r),
        grantedOnOtherChannel: r.granted_elsewhere,
        identifierSuppressed: false,
        now,
      });
      if (outcome.allowed) allowedAgain.add(stale[r.n - 1]);
    }
    return {
      allowed: page.filter((r) => !r.stale || allowedAgain.has(r.subject_id)).map((r) => r.subject_id),
      last: page.length < size ? null : page[page.length - 1].subject_id,
    };
  }

  /** A page of the projection's current grants with the subjects' facts, the rules applied to each. */
  private async livePage(
    purposeKey: string,
    channel: Channel,
    rules: PurposeRules,
    after: string,
    size: number,
  ): Promise<AllowedPage> {
    const page = await this.repo.audiencePage(purposeKey, channel, after, size);
    const now = new Date();
    const allowed = page.filter(
      (row) =>
        decide({
          purpose: rules,
          channel,
          subject: factsFromRow(row),
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
    return {
      allowed: allowed.map((r) => r.subject_id),
      last: page.length < size ? null : page[page.length - 1].subject_id,
    };
  }

  /** One page's allowed subjects with their contacts when asked for, as NDJSON text. */
  private async prepare(channel: Channel, withContacts: boolean, page: AllowedPage): Promise<PreparedPage> {
    const { allowed } = page;
    // One batch per page, not a lookup per subject: a 200,000-line audience is 200 reads, not 200,000.
    const contacts =
      withContacts && allowed.length
        ? await this.subjects.getContacts(allowed, 'addresses')
        : new Map<string, SubjectAddresses>();
    let chunk = '';
    for (const id of allowed) {
      // Ids come from a uuid column and need no escaping; contact values go through JSON.stringify.
      chunk += `{"subjectId":"${id}"`;
      if (withContacts) {
        const contact = contacts.get(id);
        if (contact?.email && channel === Channel.Email) chunk += `,"email":${JSON.stringify(contact.email)}`;
        if (contact?.phone && channel !== Channel.Email && channel !== Channel.Post) {
          chunk += `,"phone":${JSON.stringify(contact.phone)}`;
        }
      }
      chunk += '}\n';
    }
    return { chunk, last: page.last };
  }
}

interface PreparedPage {
  chunk: string;
  /** The keyset position to continue after; null when this was the last page. */
  last: string | null;
}
