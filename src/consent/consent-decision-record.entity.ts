import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * A decision Zgoda answered and was asked to keep (issue 14 item 3): who asked, when, about what, and the
 * answer. A batch keeps its counts here and its answers in `consent_decision_results`. Ids only.
 */
@Entity({ name: 'consent_decisions' })
@Check('ck_consent_decisions_kind', `kind IN ('single', 'batch')`)
@Index('ix_consent_decisions_decided', ['decidedAt'])
export class ConsentDecisionRecord {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'timestamptz' })
  decidedAt: Date;

  /** `<principal kind>:<id>`. */
  @Column({ type: 'text' })
  principal: string;

  @Column({ type: 'text' })
  purposeKey: string;

  @Column({ type: 'text' })
  channel: string;

  @Column({ type: 'text' })
  kind: 'single' | 'batch';

  /** A single decision's subject; null when the identifier belonged to nobody, and for a batch. */
  @Column({ type: 'uuid', nullable: true })
  subjectId: string | null;

  @Column({ type: 'boolean', nullable: true })
  allowed: boolean | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** The consent event the answer rested on, if any. */
  @Column({ type: 'uuid', nullable: true })
  consentEventId: string | null;

  @Column({ type: 'int' })
  total: number;

  @Column({ type: 'int' })
  allowedCount: number;
}

/** One answer of a recorded batch, at its position in the caller's input (`n`, from 0). */
@Entity({ name: 'consent_decision_results' })
export class ConsentDecisionResult {
  @PrimaryColumn({ type: 'uuid' })
  decisionId: string;

  @ManyToOne(() => ConsentDecisionRecord, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'decision_id', foreignKeyConstraintName: 'fk_consent_decision_results_decision' })
  decision?: ConsentDecisionRecord;

  @PrimaryColumn({ type: 'int' })
  n: number;

  @Column({ type: 'uuid', nullable: true })
  subjectId: string | null;

  @Column({ type: 'boolean' })
  allowed: boolean;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'uuid', nullable: true })
  consentEventId: string | null;
}
