import { Env } from '../config/env';
import { Housekeeping } from '../jobs';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CryptoService } from '../common/crypto/crypto.service';
import { OutboxService } from '../outbox';
import { OutgoingEmailsRepository, sealedColumn } from './outgoing-emails.repository';
import { EMAIL_LOCALES, EmailLocale } from '../rendering';
import { TemplateRegistry } from './template-registry.service';

export interface QueueEmailInput {
  /** Whom the e-mail concerns; without `to`, the address is looked up from the subject at send time. */
  subjectId?: string;
  /** An explicit address (an unverified requester, the DPO); wins over the subject's. */
  to?: string;
  /** A folder name under a `templates/` root (see docs/ARCHITECTURE.md, "E-mail templates"). */
  template: string;
  locale: EmailLocale;
  /** JSON-serialisable: Dates arrive in the template as ISO strings (the `date` helper takes them). */
  model: Record<string, unknown>;
}

// One plain address: no display names or lists, nothing that could add recipients or headers.
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class InvalidEmailInputError extends Error {}

export type EmailDelivery = 'queued' | 'sent' | 'failed';

export interface EmailSentEvent {
  emailId: string;
  subjectId: string | null;
}

type SentHook = (manager: EntityManager, event: EmailSentEvent) => Promise<void>;

/**
 * The outbox job id of an e-mail (the outbox prefixes the job name). BullMQ 6 refuses custom ids with a
 * colon unless they have exactly three colon-separated parts (its legacy repeatable-job format), and the
 * outbox already adds `<name>:`, so the e-mail id alone would be refused and stall the relay.
 */
export const sendEmailJobKey = (emailId: string): string => `email:${emailId}`;

@Injectable()
export class NotificationsService {
  private readonly sentHooks = new Map<string, SentHook>();

  constructor(
    private readonly templates: TemplateRegistry,
    private readonly emails: OutgoingEmailsRepository,
    private readonly crypto: CryptoService,
    private readonly outbox: OutboxService,
    private readonly env: Env,
    housekeeping: Housekeeping,
  ) {
    housekeeping.register({
      table: 'outgoing_emails',
      purge: (limit) => this.emails.deleteFinishedOlderThan(this.env.EMAIL_LOG_RETENTION_DAYS, limit),
    });
  }

  /**
   * Queues an e-mail in the caller's transaction and returns its id: it is sent after commit, at least
   * once, and never if the transaction rolls back. The model is rendered now, so a template/model mismatch
   * fails the caller's change instead of producing a job that can never succeed. Errors carry template and
   * key names only.
   */
  async queueEmail(manager: EntityManager, input: QueueEmailInput): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive)
      throw new InvalidEmailInputError("queueEmail must run inside the caller's transaction");
    if (!(EMAIL_LOCALES as readonly string[]).includes(input.locale))
      throw new InvalidEmailInputError(`e-mail locale "${String(input.locale)}" is not supported`);
    const to = input.to ?? undefined;
    if (to === undefined && !input.subjectId) throw new InvalidEmailInputError('queueEmail needs `to` or `subjectId`');
    if (to !== undefined && !ADDRESS.test(to)) throw new InvalidEmailInputError('`to` is not a single e-mail address');
    if (input.subjectId && !UUID.test(input.subjectId)) throw new InvalidEmailInputError('`subjectId` is not a uuid');

    const modelJson = JSON.stringify(input.model);
    // Render exactly what the worker will see after the JSON round trip.
    this.templates.render(input.template, input.locale, JSON.parse(modelJson) as Record<string, unknown>);

    const id = randomUUID();
    await this.emails.insert(manager, {
      id,
      template: input.template,
      locale: input.locale,
      subjectId: input.subjectId ?? null,
      recipient: to === undefined ? null : this.crypto.seal(to, sealedColumn(id, 'recipient')),
      model: this.crypto.seal(modelJson, sealedColumn(id, 'model')),
    });
    await this.outbox.enqueue(manager, 'notifications.send-email', { emailId: id }, { jobId: sendEmailJobKey(id) });
    return id;
  }

  /** Whether an e-mail of this template was queued for the subject in the last `seconds` (a flood guard). */
  queuedRecently(subjectId: string, template: string, seconds: number): Promise<boolean> {
    return this.emails.queuedSince(subjectId, template, new Date(Date.now() - seconds * 1000));
  }

  /**
   * Runs `fn` in the transaction that marks an e-mail of this template sent, for a change the law allows
   * only once the person was told (Art. 18(3): a restriction is lifted after the notice). At least once:
   * a hook that throws rolls the mark back, and the e-mail is sent again (same Message-ID) and the hook
   * re-run, so a hook must be idempotent. One hook per template; register in `onModuleInit`.
   */
  onSent(template: string, fn: SentHook): void {
    if (this.sentHooks.has(template)) throw new Error(`an onSent hook for "${template}" is already registered`);
    this.sentHooks.set(template, fn);
  }

  /** Called by the sender, in its transaction, right after the e-mail is marked sent. */
  async runSentHook(manager: EntityManager, email: { id: string; template: string; subjectId: string | null }) {
    await this.sentHooks.get(email.template)?.(manager, { emailId: email.id, subjectId: email.subjectId });
  }

  /** Where an e-mail stands; undefined for an unknown id. */
  async delivery(emailId: string, m?: EntityManager): Promise<EmailDelivery | undefined> {
    return this.emails.delivery(emailId, m);
  }
}
