import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { JobHandler, JobPayloads } from '../jobs';
import { NotificationsService } from '../notifications';
import { OutboxService } from '../outbox';
import { SubjectLookupService } from '../subjects';
import { ConsentLinksService, PREFERENCES_TTL_S } from './consent-links.service';

export const PREFERENCES_LINK_TEMPLATE = 'preferences-link';
// One link per person per quarter hour: the form is open to anyone, and the mail goes to someone's mailbox.
const FLOOD_INTERVAL_S = 15 * 60;

/**
 * The portal's "e-mail me the link to my consents": the preference centre has no account, so a person who lost
 * the link in a marketing message asks for it by address, and only that mailbox receives it (Art. 7(3): withdrawing
 * as easy as giving). The answer is the same whoever asks (Recital 64: no way to learn whether an address is
 * held): the lookup and one queued job, always; the worker decides whether anything is sent.
 */
@Injectable()
export class PreferenceLinkMailer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subjects: SubjectLookupService,
    private readonly links: ConsentLinksService,
    private readonly notifications: NotificationsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  async request(email: string, locale: 'pl' | 'en'): Promise<void> {
    const subjectId = await this.subjects.findIdByIdentifier('email', email);
    await this.dataSource.transaction((m) =>
      this.outbox.enqueue(m, 'consent.preferences-link', { subjectId: subjectId ?? null, locale }),
    );
  }

  /** Nothing to send (no one, erased, no address, asked a moment ago) is a normal outcome, not an error. */
  @JobHandler('consent.preferences-link')
  async send({ subjectId, locale }: JobPayloads['consent.preferences-link']): Promise<{ sent: boolean }> {
    if (!subjectId) return { sent: false };
    const contact = await this.subjects.getContact(subjectId);
    if (!contact?.email) return { sent: false };
    if (await this.notifications.queuedRecently(subjectId, PREFERENCES_LINK_TEMPLATE, FLOOD_INTERVAL_S))
      return { sent: false };
    const token = this.links.preferencesToken(subjectId);
    await this.dataSource.transaction(async (m) => {
      const emailId = await this.notifications.queueEmail(m, {
        subjectId,
        template: PREFERENCES_LINK_TEMPLATE,
        // The language the person used on the page, which is the one they read.
        locale,
        model: {
          preferencesUrl: this.links.url('/portal/preferences', token),
          expiresAt: new Date(Date.now() + PREFERENCES_TTL_S * 1000).toISOString(),
        },
      });
      await this.audit.append(m, {
        action: 'consent.preferences_link_sent',
        targetType: 'subject',
        targetId: subjectId,
        subjectId,
        data: { emailId },
      });
    });
    return { sent: true };
  }
}
