import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One `consent.changed` delivery; `deliveredAt` makes a re-delivered job a no-op. */
@Entity({ name: 'consent_webhook_deliveries' })
@Index('ix_consent_webhook_deliveries_created', ['createdAt'])
export class ConsentWebhookDelivery {
  @PrimaryColumn({ type: 'uuid' })
  subscriptionId: string;

  @PrimaryColumn({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'int' })
  attempts: number;

  @Column({ type: 'int', nullable: true })
  lastStatus: number | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
