import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RetentionRun } from './retention-run.entity';
import type { ItemOutcome } from './retention.types';

/**
 * What one run did to one subject under one policy: ids and codes only. The primary key is the
 * exactly-once guarantee: an action commits together with its item, so a batch re-delivered after a
 * crash finds the item and leaves the subject alone.
 */
@Entity({ name: 'retention_run_items' })
@Index('ix_retention_run_items_batch', ['runId', 'batch'])
@Check(
  'ck_retention_run_items_outcome',
  `outcome IN ('erased', 'anonymised', 'review_created', 'superseded', 'would_erase', 'would_anonymise', 'would_review', 'legal_hold', 'open_request', 'restricted', 'active_consent', 'retained', 'review_exists', 'failed')`,
)
export class RetentionRunItem {
  @PrimaryColumn({ type: 'uuid' })
  runId: string;

  @ManyToOne(() => RetentionRun, { nullable: false })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_retention_run_items_run' })
  run?: RetentionRun;

  @PrimaryColumn({ type: 'uuid' })
  subjectId: string;

  @PrimaryColumn({ type: 'text' })
  policyKey: string;

  @Column({ type: 'text' })
  outcome: ItemOutcome;

  @Column({ type: 'int' })
  batch: number;
}
