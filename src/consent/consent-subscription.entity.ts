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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;
}
