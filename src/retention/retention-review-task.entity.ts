import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ReviewResolution, ReviewStatus } from './retention.types';

/**
 * A subject whose data fell due under a `review` policy: a person decides, usually in another system
 * (medical or accounting records), whether it goes. One task per subject and policy, ever: a task
 * resolved as `kept` is not raised again every night.
 */
@Entity({ name: 'retention_review_tasks' })
@Index('ux_retention_review_tasks_subject_policy', ['subjectId', 'policyKey'], { unique: true })
@Index('ix_retention_review_tasks_status', ['status', 'createdAt', 'id'])
@Check('ck_retention_review_tasks_status', `status IN ('open', 'resolved')`)
@Check('ck_retention_review_tasks_resolution', `resolution IS NULL OR resolution IN ('kept', 'destroyed')`)
export class RetentionReviewTask {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  subjectId: string;

  @Column({ type: 'text' })
  policyKey: string;

  @Column({ type: 'int' })
  policyVersion: number;

  /** The run that raised it. */
  @Column({ type: 'uuid' })
  runId: string;

  /** When the data fell due under the policy. */
  @Column({ type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'text', default: 'open' })
  status: ReviewStatus;

  @Column({ type: 'text', nullable: true })
  resolution: ReviewResolution | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  /** `<principal kind>:<id>`. */
  @Column({ type: 'text', nullable: true })
  resolvedBy: string | null;
}
