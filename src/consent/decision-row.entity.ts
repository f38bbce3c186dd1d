import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Channel, DecisionReason } from './consent.types';

/**
 * Issue 16 item 1: the decision for a subject, purpose and channel, kept as one row by `DecisionRowsService` in the
 * transaction of every change that alters it; good until `validUntil`. Kept for every channel of each purpose a
 * subject has a consent state for (migration 1763800033000).
 */
@Entity({ name: 'decision_rows' })
@Index('ix_decision_rows_subject', ['subjectId'])
export class DecisionRow {
  @PrimaryColumn({ type: 'text' })
  purposeKey: string;

  @PrimaryColumn({ type: 'text' })
  channel: Channel;

  @PrimaryColumn({ type: 'uuid' })
  subjectId: string;

  /** The answer to a check by id, or by an identifier that is not on the suppression list. */
  @Column({ type: 'text' })
  reason: DecisionReason;

  /** The answer to a check by an identifier on the suppression list. */
  @Column({ type: 'text' })
  reasonIfSuppressed: DecisionReason;

  /** The event the decision rests on (none: another legal basis, or no state on the channel). */
  @Column({ type: 'uuid', nullable: true })
  eventId: string | null;

  @Column({ type: 'int', nullable: true })
  version: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  grantedAt: Date | null;

  /** From then on time alone may change the decision (an expiry, a birthday): the row is decided again. */
  @Column({ type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  /**
   * The `validUntil` the answer carries (a grant's expiry, a birthday), as a check decided without the row gives it;
   * `validUntil` may come earlier (another channel's grant's expiry), when only the row needs deciding again.
   */
  @Column({ type: 'timestamptz', nullable: true })
  answerValidUntil: Date | null;

  @Column({ type: 'timestamptz' })
  decidedAt: Date;
}

/**
 * Present once every consent state has its decision rows (migration 1763800034000): on a new installation from the
 * start, on an upgraded one when `npm run decisions:rebuild` has finished. Until then the audience decides from the
 * states, since a state without rows would be missing from a read of the rows alone.
 */
@Entity({ name: 'decision_rows_built' })
@Check('ck_decision_rows_built_only', 'only_row')
export class DecisionRowsBuilt {
  @PrimaryColumn({ type: 'boolean', default: true })
  onlyRow: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  builtAt: Date;
}
