import { affectedRows } from '../common/db/purge-in-batches';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ConsentEvent } from './consent-event.entity';
import { ConsentSubscription } from './consent-subscription.entity';
import { ConsentWebhookDelivery } from './consent-webhook-delivery.entity';

/** The SQL of consent webhook subscriptions and their deliveries; writes take the caller's manager. */
@Injectable()
export class ConsentWebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The id is drawn first so the secret can be sealed with it as associated data. */
  async newId(m: EntityManager): Promise<string> {
    const [{ id }] = (await m.query('SELECT gen_random_uuid() AS id')) as { id: string }[];
    return id;
  }

  async insertSubscription(m: EntityManager, row: Partial<ConsentSubscription>): Promise<ConsentSubscription> {
    const repo = m.getRepository(ConsentSubscription);
    await repo.insert(row as ConsentSubscription);
    return repo.findOneOrFail({ where: { id: row.id } });
  }

  listSubscriptions(m: EntityManager = this.dataSource.manager): Promise<ConsentSubscription[]> {
    return m.getRepository(ConsentSubscription).find({ order: { createdAt: 'ASC' } });
  }

  lockSubscription(m: EntityManager, id: string): Promise<ConsentSubscription | null> {
    return m.getRepository(ConsentSubscription).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The active feed subscriptions no other worker is delivering to right now, locked in `m`. */
  lockFeedSubscriptions(m: EntityManager): Promise<ConsentSubscription[]> {
    return m
      .getRepository(ConsentSubscription)
      .createQueryBuilder('s')
      .where('s.disabledAt IS NULL AND s.types IS NOT NULL')
      .orderBy('s.createdAt', 'ASC')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async setFeedCursor(m: EntityManager, id: string, cursor: string): Promise<void> {
    await m.getRepository(ConsentSubscription).update(id, { feedCursor: cursor });
  }

  async disableSubscription(m: EntityManager, id: string): Promise<void> {
    await m.getRepository(ConsentSubscription).update(id, { disabledAt: new Date() });
  }

  activeSubscriptionIdsFor(m: EntityManager, purposeKey: string): Promise<{ id: string }[]> {
    return m.query(
      `SELECT id FROM consent_subscriptions
        WHERE disabled_at IS NULL AND types IS NULL AND (purposes IS NULL OR $1 = ANY(purposes))`,
      [purposeKey],
    ) as Promise<{ id: string }[]>;
  }

  async insertDelivery(m: EntityManager, subscriptionId: string, eventId: string): Promise<void> {
    await m.getRepository(ConsentWebhookDelivery).insert({ subscriptionId, eventId, attempts: 0 });
  }

  findDelivery(
    subscriptionId: string,
    eventId: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<ConsentWebhookDelivery | null> {
    return m.getRepository(ConsentWebhookDelivery).findOne({ where: { subscriptionId, eventId } });
  }

  findActiveSubscription(id: string, m: EntityManager = this.dataSource.manager): Promise<ConsentSubscription | null> {
    return m.getRepository(ConsentSubscription).findOne({ where: { id, disabledAt: IsNull() } });
  }

  findEvent(id: string, m: EntityManager = this.dataSource.manager): Promise<ConsentEvent | null> {
    return m.getRepository(ConsentEvent).findOne({ where: { id } });
  }

  async recordAttempt(
    subscriptionId: string,
    eventId: string,
    changes: Pick<ConsentWebhookDelivery, 'attempts' | 'lastStatus' | 'lastError' | 'deliveredAt'>,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m.getRepository(ConsentWebhookDelivery).update({ subscriptionId, eventId }, changes);
  }

  /** Housekeeping: up to `limit` delivery records older than `days`; how many went. */
  async deleteDeliveriesOlderThan(days: number, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM consent_webhook_deliveries WHERE (subscription_id, event_id) IN (
         SELECT subscription_id, event_id FROM consent_webhook_deliveries
          WHERE created_at < now() - make_interval(days => $1) LIMIT $2)`,
        [days, limit],
      ),
    );
  }
}
