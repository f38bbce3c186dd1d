import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A consent grant whose validity period ran out, recorded once by the expiry sweep. The consent state
 * already reads `expired` (and the decision says no) from the instant of expiry; this is when Zgoda
 * noticed and audited it (`consent.expired`), and what makes the sweep do it once per grant.
 */
@Entity({ name: 'retention_consent_expiries' })
export class RetentionConsentExpiry {
  /** The grant event that expired. */
  @PrimaryColumn({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'uuid' })
  subjectId: string;

  @Column({ type: 'text' })
  purposeKey: string;

  @Column({ type: 'text' })
  channel: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}
