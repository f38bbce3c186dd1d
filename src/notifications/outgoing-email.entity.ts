import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EmailLocale } from '../rendering';

/**
 * One e-mail, written in the transaction of the change that causes it and sent by the worker. The address
 * and the model (personal data, secret links) are sealed, and wiped once the e-mail is sent or can never
 * be: afterwards the row says only which template went to which subject, and when.
 */
@Entity({ name: 'outgoing_emails' })
@Check('ck_outgoing_emails_locale', `locale IN ('pl', 'en')`)
@Index('ix_outgoing_emails_subject', ['subjectId'], { where: 'subject_id IS NOT NULL' })
@Index('ix_outgoing_emails_created', ['createdAt'])
export class OutgoingEmail {
  /** Generated before the insert: it is part of the sealed columns' associated data and of the Message-ID. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  template: string;

  @Column({ type: 'text' })
  locale: EmailLocale;

  @Column({ type: 'uuid', nullable: true })
  subjectId: string | null;

  /** Sealed address; null when it is looked up from the subject at send time, and after sending. */
  @Column({ type: 'bytea', nullable: true })
  recipient: Buffer | null;

  /** Sealed JSON model; null after sending. */
  @Column({ type: 'bytea', nullable: true })
  model: Buffer | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  /** Set when the e-mail can never be sent (permanent SMTP rejection, no address left). */
  @Column({ type: 'timestamptz', nullable: true })
  failedAt: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Error code and SMTP status only, never the server's text (it may quote the address). */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'text', nullable: true })
  messageId: string | null;
}
