import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Persisted strings and the feed's public `type`s: never rename one. */
export const CHANGE_TYPES = [
  'consent_granted',
  'consent_refused',
  'consent_withdrawn',
  'consent_confirmed',
  'consent_expired',
  'gpc',
  'reconsent_required',
  'objection',
  'objection_overruled',
  'restriction_placed',
  'restriction_lifted',
  'erasure',
  'merge',
  'came_of_age',
  'birth_date_changed',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/**
 * One change that can alter a consent decision (issue 14 item 2), written in the transaction of the change.
 * Ids and keys only; the feed adds the subject's decisions when it is read.
 */
@Entity({ name: 'consent_changes' })
@Index('ix_consent_changes_cursor', ['tx', 'seq'])
@Index('ix_consent_changes_occurred', ['occurredAt'])
export class ConsentChange {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  /** The writing transaction's id (pg_current_xact_id()): the feed's order is (tx, seq). */
  @Column({ type: 'bigint' })
  tx: string;

  @Column({ type: 'text' })
  type: ChangeType;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ type: 'uuid' })
  subjectId: string;

  /** The purposes whose decisions it may change; empty: every purpose. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  purposes: string[];

  /** The channels; empty: every channel. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  channels: string[];
}
