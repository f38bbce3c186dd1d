import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { BreachStatus, RiskAssessment } from './breach.types';

// The values live in breach.types.ts (the module's index may export them; not this entity).
export { BREACH_STATUSES, BreachStatus, RISK_ASSESSMENTS, RiskAssessment } from './breach.types';

/**
 * One personal data breach, documented as Art. 33(5) requires: facts, effects, remedial action. The
 * incident itself holds no personal data: affected people are only ids in `breach_affected_subjects`.
 */
@Entity({ name: 'breaches' })
@Check('ck_breaches_status', `status IN ('open', 'contained', 'notified', 'closed')`)
@Check('ck_breaches_risk', `risk_assessment IN ('none', 'risk', 'high_risk')`)
@Index('ix_breaches_aware_at', ['awareAt', 'id'])
@Index('ix_breaches_clock', ['awareAt'], { where: `authority_notified_at IS NULL AND status <> 'closed'` })
export class Breach {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  description: string;

  /** Unknown at first in many incidents. */
  @Column({ type: 'timestamptz', nullable: true })
  occurredAt: Date | null;

  /** Art. 33(1): the 72 hours run from here. */
  @Column({ type: 'timestamptz' })
  awareAt: Date;

  /** A role or a staff id ('IT', 'helpdesk'), never a name. */
  @Column({ type: 'text' })
  reportedBy: string;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  dataCategories: string[];

  /** Art. 33(3)(a): categories of data subjects concerned ('customers', 'employees'). */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  subjectCategories: string[];

  /** Keys of data systems (src/systems). */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  systems: string[];

  @Column({ type: 'integer', nullable: true })
  approxSubjects: number | null;

  @Column({ type: 'integer', nullable: true })
  approxRecords: number | null;

  @Column({ type: 'text', nullable: true })
  likelyConsequences: string | null;

  @Column({ type: 'text', nullable: true })
  measuresTaken: string | null;

  @Column({ type: 'text', nullable: true })
  measuresProposed: string | null;

  /** Null until assessed: the clock runs meanwhile. */
  @Column({ type: 'text', nullable: true })
  riskAssessment: RiskAssessment | null;

  @Column({ type: 'text', nullable: true })
  riskReasoning: string | null;

  @Column({ type: 'text', default: BreachStatus.Open })
  status: BreachStatus;

  @Column({ type: 'timestamptz', nullable: true })
  containedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** `sentAt` of the first notification to the supervisory authority; stops the clock. */
  @Column({ type: 'timestamptz', nullable: true })
  authorityNotifiedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
