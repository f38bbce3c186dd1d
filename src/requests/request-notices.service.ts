import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Env } from '../config/env';
import { NotificationsService } from '../notifications';
import { TemplateRegistry } from '../notifications';
import { addMessages, defineStrings, formatDay, message } from '../rendering';
import { RequestTokens } from './request-tokens.service';
import { RequestVault } from './request-vault.service';
import { DsrRequest } from './request.entity';
import type { Locale } from './request.types';

/** What Zgoda itself writes in a notice, in the subject's language: the one catalogue's namespace `requestNotices`. */
const NOTICE_STRINGS = defineStrings({
  pl: {
    notVerified:
      'Nie udało się potwierdzić, że żądanie złożyła osoba, której dane dotyczą: link weryfikacyjny nie został użyty w wyznaczonym czasie.',
    retained:
      'Części danych nie usunęliśmy, ponieważ obowiązek prawny wymaga ich przechowywania (art. 17 ust. 3 RODO). Dane te zostały ograniczone do przechowywania:',
    until: 'do {date}',
  },
  en: {
    notVerified:
      'We could not confirm that the request was made by the person the data relates to: the verification link was not used in time.',
    retained:
      'We did not erase some data because a legal obligation requires us to keep it (Article 17(3) GDPR). Its processing is restricted to storage:',
    until: 'until {date}',
  },
});
addMessages('requestNotices', NOTICE_STRINGS);

export interface RetainedItem {
  system: string;
  reason: string | null;
  until: Date | null;
}

/**
 * E-mails to the subject about their request (Art. 12(1), (3), (4)), queued in the caller's transaction.
 * They go to the address sealed on the request at intake, so an erasure can still be confirmed after
 * the subject's own record is gone. No address, no e-mail: the methods then return null.
 */
@Injectable()
export class RequestNotices {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly templates: TemplateRegistry,
    private readonly vault: RequestVault,
    private readonly env: Env,
    private readonly tokens: RequestTokens,
  ) {}

  /** The reason given when a request was never verified (Art. 12(6)), in the subject's language. */
  notVerifiedReason(locale: Locale): string {
    return message(locale, 'requestNotices.notVerified');
  }

  verification(m: EntityManager, r: DsrRequest, token: string): Promise<string | null> {
    return this.send(m, r, 'request-verification', this.verificationModel(r, token));
  }

  /** With a link to the request's status page (Art. 12(1): the person can follow it without asking), in the mail. */
  async received(m: EntityManager, r: DsrRequest): Promise<string | null> {
    if (!this.vault.openText(r.id, 'contact', r.contactSealed)) return null;
    const status = await this.tokens.issue(m, r.id, 'status', this.env.REQUEST_STATUS_LINK_TTL_DAYS * 86_400_000);
    return this.send(m, r, 'request-received', {
      requestType: r.type,
      reference: r.id,
      receivedAt: r.receivedAt.toISOString(),
      dueDate: r.dueAt.toISOString(),
      // The person's page itself (the portal), not the JSON route a browser would be redirected from.
      statusUrl: `${this.baseUrl()}/portal/requests/${r.id}?token=${encodeURIComponent(status.token)}`,
      statusExpiresAt: status.expiresAt.toISOString(),
    });
  }

  extended(m: EntityManager, r: DsrRequest, reason: string): Promise<string | null> {
    return this.send(m, r, 'request-extended', {
      requestType: r.type,
      reference: r.id,
      reason,
      newDueDate: r.extendedDueAt!.toISOString(),
    });
  }

  completed(
    m: EntityManager,
    r: DsrRequest,
    opts: { resultUrl?: string; resultExpiresAt?: Date; retained?: RetainedItem[] },
  ): Promise<string | null> {
    return this.send(m, r, 'request-completed', {
      requestType: r.type,
      reference: r.id,
      resultUrl: opts.resultUrl ?? null,
      resultExpiresAt: opts.resultExpiresAt?.toISOString() ?? null,
      note: opts.retained?.length ? this.retainedNote(r.locale, opts.retained) : null,
    });
  }

  /** Art. 12(4): the reasons, and the right to complain to UODO and to a court (in the template). */
  rejected(m: EntityManager, r: DsrRequest, reason: string): Promise<string | null> {
    return this.send(m, r, 'request-rejected', { requestType: r.type, reference: r.id, reason });
  }

  private verificationModel(r: DsrRequest, token: string) {
    return {
      verifyUrl: `${this.baseUrl()}/public/verify?token=${encodeURIComponent(token)}`,
      requestType: r.type,
      expiresMinutes: this.env.REQUEST_VERIFICATION_TTL_MINUTES,
    };
  }

  private retainedNote(locale: Locale, items: RetainedItem[]): string {
    const until = (d: Date) => message(locale, 'requestNotices.until', { date: formatDay(d, locale) });
    const lines = items.map(
      (i) => `– ${i.system}${i.reason ? `: ${i.reason}` : ''}${i.until ? ` (${until(i.until)})` : ''}`,
    );
    return [message(locale, 'requestNotices.retained'), ...lines].join('\n');
  }

  baseUrl(): string {
    return this.env.PUBLIC_BASE_URL.replace(/\/+$/, '');
  }

  private async send(
    m: EntityManager,
    r: DsrRequest,
    template: string,
    model: Record<string, unknown>,
  ): Promise<string | null> {
    const to = this.vault.openText(r.id, 'contact', r.contactSealed);
    if (!to) return null;
    return this.notifications.queueEmail(m, { to, template, locale: r.locale, model });
  }
}
