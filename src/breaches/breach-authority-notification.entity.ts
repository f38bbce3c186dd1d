import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Breach } from './breach.entity';

import { NotificationPhase } from './breach.types';

export { NOTIFICATION_PHASES, NotificationPhase } from './breach.types';

/** What was sent to the supervisory authority (UODO) and when. Append-only: a sent notification cannot be unsent. */
@Entity({ name: 'breach_authority_notifications' })
@Check('ck_breach_authority_notifications_phase', `phase IN ('initial', 'supplementary', 'final')`)
@Index('ix_breach_authority_notifications_breach', ['breachId', 'sentAt'])
export class BreachAuthorityNotification {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  breachId: string;

  @ManyToOne(() => Breach, { nullable: false })
  @JoinColumn({ name: 'breach_id', foreignKeyConstraintName: 'fk_breach_authority_notifications_breach' })
  breach?: Breach;

  @Column({ type: 'text' })
  phase: NotificationPhase;

  @Column({ type: 'timestamptz' })
  sentAt: Date;

  /** The case number UODO gives, when known. */
  @Column({ type: 'text', nullable: true })
  reference: string | null;

  /** Art. 33(1): a notification after 72 hours is accompanied by the reasons for the delay. */
  @Column({ type: 'text', nullable: true })
  delayReasons: string | null;

  @Column({ type: 'boolean' })
  late: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt: Date;
}
