import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The evidence of one consent event (form, page, IP address, user agent): personal data, so sealed, and
 * outside the append-only event table so that an erasure can destroy it.
 */
@Entity({ name: 'consent_evidence' })
@Index('ix_consent_evidence_subject', ['subjectId'])
export class ConsentEvidence {
  @PrimaryColumn({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'uuid' })
  subjectId: string;

  @Column({ type: 'bytea' })
  sealed: Buffer;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
