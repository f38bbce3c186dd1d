import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Channel, ConsentDecision, ExpressedBy } from './consent.types';

/**
 * Projection of `consent_events`: the current decision per subject, purpose and channel, written in the
 * same transaction as the event. The decision API reads only this.
 */
@Entity({ name: 'consent_state' })
@Index('ix_consent_state_audience', ['purposeKey', 'channel', 'subjectId'], { where: `status = 'granted'` })
export class ConsentState {
  @PrimaryColumn({ type: 'uuid' })
  subjectId: string;

  @PrimaryColumn({ type: 'text' })
  purposeKey: string;

  @PrimaryColumn({ type: 'text' })
  channel: Channel;

  @Column({ type: 'text' })
  status: ConsentDecision;

  /** The event that set the status (for a confirmed double opt-in: the grant, not the confirmation). */
  @Column({ type: 'uuid' })
  eventId: string;

  /** The last event applied; a write with a lower seq never overwrites a higher one. */
  @Column({ type: 'bigint' })
  lastSeq: string;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'text' })
  locale: string;

  @Column({ type: 'char', length: 64 })
  textSha256: string;

  @Column({ type: 'timestamptz', nullable: true })
  grantedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'boolean' })
  pending: boolean;

  @Column({ type: 'text' })
  expressedBy: ExpressedBy;

  @Column({ type: 'boolean' })
  suppressed: boolean;

  @Column({ type: 'timestamptz' })
  updatedAt: Date;
}
