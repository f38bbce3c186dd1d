import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Breach } from './breach.entity';

/**
 * A data subject affected by a breach: only the subject id, so the register of incidents never becomes a
 * second copy of personal data. `notifiedAt` set with no `emailId`: there was no e-mail address to use.
 */
@Entity({ name: 'breach_affected_subjects' })
@Index('ix_breach_affected_subjects_pending', ['breachId', 'subjectId'], { where: 'notified_at IS NULL' })
export class BreachAffectedSubject {
  @PrimaryColumn({ type: 'uuid' })
  breachId: string;

  @ManyToOne(() => Breach, { nullable: false })
  @JoinColumn({ name: 'breach_id', foreignKeyConstraintName: 'fk_breach_affected_subjects_breach' })
  breach?: Breach;

  @PrimaryColumn({ type: 'uuid' })
  subjectId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  selectedAt: Date;

  /** When the Art. 34 notice was handed to the mailer (or found impossible to send). */
  @Column({ type: 'timestamptz', nullable: true })
  notifiedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  emailId: string | null;
}
