import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { CryptoService } from '../common/crypto/crypto.service';
import { ProblemError } from '../common/problem/problem.error';
import { JobHandler } from '../jobs';
import { JobPayloads } from '../jobs';
import { CONTACT_RESOLVER, ContactResolver } from './contact-resolver';
import { MailTransport } from './mail-transport.service';
import { NotificationsService } from './notifications.service';
import { OutgoingEmail } from './outgoing-email.entity';
import { OutgoingEmailsRepository, sealedColumn } from './outgoing-emails.repository';
import { describeSendFailure, NoContactError, SendFailure } from './send-failure';
import { TemplateRegistry } from './template-registry.service';

/** Deterministic, so a receiver can drop the duplicate when a crash between send and mark re-sends. */
export const messageIdOf = (emailId: string): string => `<${emailId}@zgoda>`;

type Outcome = { kind: 'sent' } | { kind: 'done' } | { kind: 'failed'; failure: SendFailure };

@Injectable()
export class SendEmailHandler {
  private readonly logger = new Logger(SendEmailHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly emails: OutgoingEmailsRepository,
    private readonly crypto: CryptoService,
    private readonly templates: TemplateRegistry,
    private readonly transport: MailTransport,
    private readonly moduleRef: ModuleRef,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * The row stays locked while the message goes out, so a re-driven job racing a stalled one waits its
   * turn instead of sending a second copy; the second one then finds `sent_at` and does nothing.
   */
  @JobHandler('notifications.send-email')
  async send({ emailId }: JobPayloads['notifications.send-email']): Promise<{ sent: boolean }> {
    const outcome = await this.dataSource.transaction(async (m): Promise<Outcome> => {
      const email = await this.emails.lockForSending(m, emailId);
      // at-least-once delivery: a second run must be a no-op
      if (!email || email.sentAt || email.failedAt) return { kind: 'done' };
      const messageId = messageIdOf(email.id);
      try {
        await this.transport.send({ ...(await this.compose(email)), messageId });
      } catch (error) {
        const failure = describeSendFailure(error);
        await this.emails.recordFailure(m, email.id, failure.reason, failure.permanent);
        return { kind: 'failed', failure };
      }
      await this.emails.markSent(m, email.id, messageId);
      await this.notifications.runSentHook(m, email);
      return { kind: 'sent' };
    });
    if (outcome.kind === 'failed') {
      const { permanent, reason } = outcome.failure;
      this.logger.warn({ emailId, permanent, reason }, 'e-mail not sent');
      if (permanent) throw new UnrecoverableError(`e-mail cannot be sent: ${reason}`);
      throw new Error(`e-mail not sent yet: ${reason}`);
    }
    if (outcome.kind === 'sent') this.logger.log({ emailId }, 'e-mail sent');
    return { sent: outcome.kind === 'sent' };
  }

  private async compose(email: OutgoingEmail) {
    if (!email.model) throw new Error('outgoing e-mail has no model');
    const model = JSON.parse(this.crypto.open(email.model, sealedColumn(email.id, 'model'))) as Record<string, unknown>;
    const to = email.recipient
      ? this.crypto.open(email.recipient, sealedColumn(email.id, 'recipient'))
      : await this.resolveContact(email.subjectId);
    return { to, ...this.templates.render(email.template, email.locale, model) };
  }

  private async resolveContact(subjectId: string | null): Promise<string> {
    if (!subjectId) throw new NoContactError();
    const resolver = this.contactResolver();
    // A deployment without the subjects module is a configuration error: keep the e-mail and retry.
    if (!resolver) throw new Error('no CONTACT_RESOLVER provider is registered');
    const contact = await resolver.getContact(subjectId).catch((e: unknown) => {
      // Unknown or erased subject: there is no one left to write to.
      if (e instanceof ProblemError && e.status < 500) return null;
      throw e;
    });
    if (!contact?.email) throw new NoContactError();
    return contact.email;
  }

  private contactResolver(): ContactResolver | undefined {
    try {
      return this.moduleRef.get<ContactResolver>(CONTACT_RESOLVER, { strict: false });
    } catch {
      return undefined;
    }
  }
}
