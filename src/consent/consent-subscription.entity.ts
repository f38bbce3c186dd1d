import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A system that wants `consent.changed` webhooks (a marketing tool keeping its lists in step). */
@Entity({ name: 'consent_subscriptions' })
export class ConsentSubscription {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  url: string;

  /** The HMAC secret, sealed with CryptoService.seal. */
  @Column({ type: 'bytea' })
  secretSealed: Buffer;

  /** Purpose keys of interest; null means all. */
  @Column({ type: 'text', array: true, nullable: true })
  purposes: string[] | null;

  /**
   * Change-feed types (issue 14 item 2): set, the subscription receives those changes of GET /v1/changes in feed
   * order instead of one `consent.changed` per consent event; null: consent events as before.
   */
  @Column({ type: 'text', array: true, nullable: true })
  types: string[] | null;

  /** The last change delivered and acknowledged; null: from the subscription's start. */
  @Column({ type: 'text', nullable: true })
  feedCursor: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;
}
