import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Channel, ConsentEventKind, EventReason, ExpressedBy, SourceMethod } from './consent.types';

/**
 * One consent decision (LEGAL item 2). Append-only: the database refuses UPDATE, DELETE and TRUNCATE,
 * and there is no code path that changes a row. They take effect in the order the person expressed them
 * (`occurredAt`, then `seq`, the order of recording under a lock on the subject, purpose and channel).
 */
@Entity({ name: 'consent_events' })
@Index('ix_consent_events_subject', ['subjectId', 'seq'])
@Index('ix_consent_events_subject_occurred', ['subjectId', 'occurredAt', 'seq'])
export class ConsentEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Index('ux_consent_events_id', { unique: true })
  @Column({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  subjectId: string;

  @Column({ type: 'text' })
  purposeKey: string;

  @Column({ type: 'text' })
  channel: Channel;

  @Column({ type: 'text' })
  decision: ConsentEventKind;

  @Column({ type: 'text', nullable: true })
  reason: EventReason | null;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'text' })
  locale: string;

  @Column({ type: 'char', length: 64 })
  textSha256: string;

  /** A double opt-in grant waiting for its confirmation: not a consent yet. */
  @Column({ type: 'boolean' })
  pending: boolean;

  @Column({ type: 'uuid', nullable: true })
  confirmsEventId: string | null;

  /** An imported event's row identity (issue 14 item 1): unique, so the same file imports nothing twice. */
  @Index('ux_consent_events_import_key', { unique: true, where: 'import_key IS NOT NULL' })
  @Column({ type: 'text', nullable: true })
  importKey: string | null;

  /** The import and file row that brought it in: its proof shows that batch's audit entry. */
  @Column({ type: 'uuid', nullable: true })
  importId: string | null;

  @Column({ type: 'int', nullable: true })
  importRow: number | null;

  /** When Zgoda stored it. */
  @Column({ type: 'timestamptz' })
  recordedAt: Date;

  /** When the person expressed it (a paper form's date, an imported history's): validity and proofs count from it. */
  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'text' })
  sourceMethod: SourceMethod;

  @Column({ type: 'text', nullable: true })
  sourceLocation: string | null;

  @Column({ type: 'text', nullable: true })
  sourceStaffId: string | null;

  @Column({ type: 'text' })
  expressedBy: ExpressedBy;

  /** The request carried `Sec-GPC: 1`. */
  @Column({ type: 'boolean' })
  gpc: boolean;

  /** An identifier of the subject was on the suppression list when this was recorded (LEGAL item 7). */
  @Column({ type: 'boolean' })
  suppressed: boolean;

  /** SHA-256 of the sealed evidence's plaintext, so the evidence stays verifiable while it exists. */
  @Column({ type: 'char', length: 64, nullable: true })
  evidenceSha256: string | null;

  /** The compact JWS receipt handed out for this event. */
  @Column({ type: 'text', nullable: true })
  receipt: string | null;
}
