import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PolicyReport, PolicySnapshot, RunSource, RunStatus } from './retention.types';

/**
 * One enforcement (or dry run) of the retention policies over every subject. Progress lives here, not
 * in Redis: `cursor` is the last subject id of the last committed batch, so a run resumes exactly
 * where it stopped whichever worker picks it up.
 */
@Entity({ name: 'retention_runs' })
@Check('ck_retention_runs_status', `status IN ('queued', 'running', 'completed', 'cancelled')`)
@Check('ck_retention_runs_source', `source IN ('api', 'schedule')`)
@Index('ix_retention_runs_created', ['createdAt', 'id'])
// One run at a time: a partial unique index over a constant, which TypeORM cannot describe, so it is
// created by the migration and left alone by the schema comparison.
@Index('ux_retention_runs_one_active', { synchronize: false })
export class RetentionRun {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  status: RunStatus;

  @Column({ type: 'boolean' })
  dryRun: boolean;

  /** Null: every active policy. */
  @Column({ type: 'text', nullable: true })
  policyKey: string | null;

  @Column({ type: 'text' })
  source: RunSource;

  /** The scheduler occurrence that started the run: a second delivery of it starts nothing. */
  @Index('ux_retention_runs_source_key', { unique: true })
  @Column({ type: 'text', nullable: true })
  sourceKey: string | null;

  /** `<principal kind>:<id>`. */
  @Column({ type: 'text' })
  requestedBy: string;

  /** "Now" for every due date of the run, fixed at creation so all batches judge by the same instant. */
  @Column({ type: 'timestamptz' })
  asOf: Date;

  @Column({ type: 'jsonb' })
  policies: PolicySnapshot[];

  @Column({ type: 'uuid', nullable: true })
  cursor: string | null;

  @Column({ type: 'int', default: 0 })
  batches: number;

  @Column({ type: 'int', default: 0 })
  scanned: number;

  @Column({ type: 'int', default: 0 })
  matched: number;

  @Column({ type: 'int', default: 0 })
  processed: number;

  @Column({ type: 'int', default: 0 })
  failed: number;

  @Column({ type: 'int', default: 0 })
  skippedLegalHold: number;

  @Column({ type: 'int', default: 0 })
  skippedOpenRequest: number;

  @Column({ type: 'int', default: 0 })
  skippedRestricted: number;

  @Column({ type: 'int', default: 0 })
  skippedActiveConsent: number;

  @Column({ type: 'int', default: 0 })
  skippedRetained: number;

  @Column({ type: 'int', default: 0 })
  skippedReviewExists: number;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  byPolicy: Record<string, PolicyReport>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** Moves with every committed batch: a run that stopped moving is picked up again by the sweep. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
