import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import { signWebhook } from '../common/crypto/webhook-signature';
import { OutboundHttp, statusFailure } from '../common/http/outbound-http';
import { assertOutboundUrl } from '../common/http/outbound-url';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { Housekeeping, JobHandler } from '../jobs';
import { JobPayloads } from '../jobs';
import { OutboxService } from '../outbox';
import { ChangeFeed } from './change-feed.service';
import { ConsentEvent } from './consent-event.entity';
import { ConsentSubscription } from './consent-subscription.entity';
import { ConsentWebhooksRepository } from './consent-webhooks.repository';
import { CreateConsentSubscriptionDto } from './consent-webhooks.dto';

// Changes per subscription and round: a slow receiver holds one subscription's lock for at most this many calls.
const FEED_BATCH = 100;
const aad = (id: string) => `consent_subscriptions:${id}`;

/** `consent.changed` webhooks: ids and codes only, signed, through the outbox, retried until delivered. */
@Injectable()
export class ConsentWebhooksService {
  private readonly logger = new Logger(ConsentWebhooksService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ConsentWebhooksRepository,
    private readonly crypto: CryptoService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly env: Env,
    private readonly feed: ChangeFeed,
    private readonly http: OutboundHttp,
    housekeeping: Housekeeping,
  ) {
    housekeeping.register({
      table: 'consent_webhook_deliveries',
      purge: (limit) => this.repo.deleteDeliveriesOlderThan(this.env.DELIVERY_LOG_RETENTION_DAYS, limit),
    });
  }

  async create(dto: CreateConsentSubscriptionDto): Promise<ConsentSubscription> {
    await assertOutboundUrl(dto.url, this.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
    return this.dataSource.transaction(async (m) => {
      const id = await this.repo.newId(m);
      const created = await this.repo.insertSubscription(m, {
        id,
        url: dto.url,
        secretSealed: this.crypto.seal(dto.secret, aad(id)),
        purposes: dto.purposes ?? null,
        types: dto.types ?? null,
        feedCursor: null,
        disabledAt: null,
      });
      await this.audit.append(m, {
        action: 'consent_subscription.created',
        targetType: 'consent_subscription',
        targetId: id,
        data: { purposes: dto.purposes ?? null, types: dto.types ?? null },
      });
      return created;
    });
  }

  list(): Promise<ConsentSubscription[]> {
    return this.repo.listSubscriptions();
  }

  async disable(id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lockSubscription(m, id);
      if (!row) throw new ProblemError('not_found', 'No subscription with this id.');
      if (row.disabledAt) return;
      await this.repo.disableSubscription(m, id);
      await this.audit.append(m, {
        action: 'consent_subscription.disabled',
        targetType: 'consent_subscription',
        targetId: id,
      });
    });
  }

  /** In the event's transaction: a rolled-back decision announces nothing. */
  async enqueueChanged(m: EntityManager, event: ConsentEvent): Promise<void> {
    await this.enqueueChangedMany(m, [event]);
  }

  /** `enqueueChanged` for an import's batch: each purpose's subscriptions looked up once. */
  async enqueueChangedMany(m: EntityManager, events: Pick<ConsentEvent, 'id' | 'purposeKey'>[]): Promise<void> {
    const subs = new Map<string, { id: string }[]>();
    for (const key of new Set(events.map((e) => e.purposeKey))) {
      subs.set(key, await this.repo.activeSubscriptionIdsFor(m, key));
    }
    for (const event of events) await this.enqueueFor(m, subs.get(event.purposeKey)!, event);
  }

  private async enqueueFor(m: EntityManager, subs: { id: string }[], event: Pick<ConsentEvent, 'id'>): Promise<void> {
    for (const { id } of subs) {
      await this.repo.insertDelivery(m, id, event.id);
      await this.outbox.enqueue(
        m,
        'webhooks.consent-changed',
        { subscriptionId: id, eventId: event.id },
        { jobId: `${id}:${event.id}` },
      );
    }
  }

  @JobHandler('webhooks.consent-changed')
  async deliver({ subscriptionId, eventId }: JobPayloads['webhooks.consent-changed']): Promise<void> {
    const delivery = await this.repo.findDelivery(subscriptionId, eventId);
    // At-least-once delivery of the job: a second run after success must not call the receiver again.
    if (!delivery || delivery.deliveredAt) return;
    const sub = await this.repo.findActiveSubscription(subscriptionId);
    const event = await this.repo.findEvent(eventId);
    if (!sub || !event) return;

    const body = JSON.stringify({
      type: 'consent.changed',
      id: `${subscriptionId}:${eventId}`,
      occurredAt: event.occurredAt.toISOString(),
      data: {
        eventId: event.id,
        subjectId: event.subjectId,
        purpose: event.purposeKey,
        channel: event.channel,
        decision: event.decision,
        pending: event.pending,
        version: event.version,
        reason: event.reason,
      },
    });
    const secret = this.crypto.open(sub.secretSealed, aad(sub.id));
    const { status, error } = await this.post(sub.url, body, secret);
    await this.repo.recordAttempt(subscriptionId, eventId, {
      attempts: delivery.attempts + 1,
      lastStatus: status,
      lastError: error,
      deliveredAt: error ? null : new Date(),
    });
    if (error) {
      this.logger.warn({ subscriptionId, eventId, status }, 'consent webhook not delivered; will retry');
      throw new Error(error);
    }
  }

  /**
   * Job `webhooks.feed-dispatch` (every CHANGES_WEBHOOK_INTERVAL_MS): each subscription with `types` gets the
   * feed's changes of those types after its cursor, one POST each, in feed order; the cursor moves past a change
   * only once it was delivered, so a failing receiver is retried with the same change before any later one
   * (in order per subject, and overall). The cursor is committed with the batch: a killed worker re-delivers
   * at most one batch, which receivers recognise by `id`. Rows are locked SKIP LOCKED: one worker per subscription.
   */
  @JobHandler('webhooks.feed-dispatch')
  async dispatchFeed(): Promise<{ delivered: number }> {
    let delivered = 0;
    await this.dataSource.transaction(async (m) => {
      for (const sub of await this.repo.lockFeedSubscriptions(m)) {
        const page = await this.feed.page(sub.feedCursor ?? undefined, FEED_BATCH, sub.types, false).catch((e) => {
          // A receiver down longer than the feed keeps changes (410 cursor_expired): it must resync from the
          // API; the others go on.
          this.logger.error({ subscriptionId: sub.id, err: { name: (e as Error).name } }, 'feed subscription stuck');
          return null;
        });
        if (!page) continue;
        const { changes } = page;
        let cursor: string | null = null;
        for (const change of changes) {
          // A new subscription starts with the changes made after it was created.
          const decisions = change.decisions.filter((d) => !sub.purposes || sub.purposes.includes(d.purpose));
          if (!sub.feedCursor && new Date(change.occurredAt) < sub.createdAt) {
            cursor = change.cursor;
            continue;
          }
          if (decisions.length) {
            const body = JSON.stringify({ type: 'consent.feed', id: change.cursor, data: { ...change, decisions } });
            const { status, error } = await this.post(
              sub.url,
              body,
              this.crypto.open(sub.secretSealed, aad(sub.id)),
              'consent.feed',
            );
            if (error) {
              this.logger.warn({ subscriptionId: sub.id, status }, 'feed webhook not delivered; retried next round');
              break;
            }
            delivered += 1;
          }
          cursor = change.cursor;
        }
        if (cursor) await this.repo.setFeedCursor(m, sub.id, cursor);
      }
    });
    return { delivered };
  }

  private async post(
    url: string,
    body: string,
    secret: string,
    event = 'consent.changed',
  ): Promise<{ status: number | null; error: string | null }> {
    // Through the one outbound client: the address is checked where it connects, redirects are not followed.
    const posted = await this.http.postJson(url, body, {
      'x-zgoda-signature': signWebhook(secret, body, Math.floor(Date.now() / 1000)),
      'x-zgoda-event': event,
    });
    if ('failure' in posted) return { status: null, error: posted.failure };
    const { status } = posted.answer;
    return { status, error: status >= 200 && status < 300 ? null : statusFailure(status).failure };
  }
}
