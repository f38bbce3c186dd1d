import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DsrRequest } from './request.entity';
import type { TaskAction, TaskStatus } from './request.types';

export interface RetainedCategory {
  category: string;
  legalBasis: string | null;
  until: string | null;
}

/** One data system's part of a request (Art. 19: every recipient is told). */
@Entity({ name: 'request_tasks' })
@Check('ck_request_tasks_status', `status IN ('pending', 'running', 'waiting_callback', 'done', 'failed', 'retained')`)
@Check(
  'ck_request_tasks_action',
  `action IN ('access', 'portability', 'erasure', 'rectification', 'restriction', 'objection')`,
)
@Index('ux_request_tasks_system', ['requestId', 'systemId'], { unique: true })
@Index('ix_request_tasks_held', ['requestId'], { where: `status = 'retained' AND retained_reason = 'legal_hold'` })
export class RequestTask {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  requestId: string;

  @ManyToOne(() => DsrRequest, { nullable: false })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'fk_request_tasks_request' })
  request?: DsrRequest;

  @Column({ type: 'uuid' })
  systemId: string;

  /** The system's key at planning time: tasks stay readable if the system is renamed or retired. */
  @Column({ type: 'text' })
  systemKey: string;

  /** `webhook`, `manual` or `internal`, at planning time. */
  @Column({ type: 'text' })
  systemKind: string;

  @Column({ type: 'text' })
  action: TaskAction;

  @Column({ type: 'text', default: 'pending' })
  status: TaskStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Bumped by a staff retry: the retried job gets a new deterministic id. */
  @Column({ type: 'int', default: 0 })
  generation: number;

  /** No personal data: an HTTP status, an error class, the system's reason code. */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** The subject's identifiers as sent to the system, sealed; wiped when the request ends. */
  @Column({ type: 'bytea', nullable: true })
  subjectSealed: Buffer | null;

  /** What the system answered (an access copy holds personal data), sealed. */
  @Column({ type: 'bytea', nullable: true })
  resultSealed: Buffer | null;

  /**
   * Whether the system held anything about the person: false is "no data found" (certified as such, not as
   * erased), null a system that did not say.
   */
  @Column({ type: 'boolean', nullable: true })
  found: boolean | null;

  /** Art. 17(3): why data was kept and until when. */
  @Column({ type: 'text', nullable: true })
  retainedReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  retainedUntil: Date | null;

  /** The system's data categories when the task was planned: the certificate's per-category lines. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  categories: string[];

  /**
   * Issue 13 item 3: the categories an erasure keeps under a legal hold, each with its Art. 17(3) ground and
   * end (ISO 8601, null: until released), as the system was asked; null when no hold kept anything here.
   */
  @Column({ type: 'jsonb', nullable: true })
  retainedCategories: RetainedCategory[] | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
