import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Work to hand to BullMQ, written in the same transaction as the change that causes it. PostgreSQL is the
 * source of truth: a row stays incomplete until its handler has done the work, whatever Redis loses.
 */
@Entity({ name: 'outbox' })
@Index('ix_outbox_completed', ['completedAt'], { where: 'completed_at IS NOT NULL' })
@Index('ix_outbox_unsent', ['id'], { where: 'sent_at IS NULL' })
@Index('ix_outbox_incomplete', ['sentAt'], {
  where: 'sent_at IS NOT NULL AND completed_at IS NULL AND dead_at IS NULL',
})
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  queue: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  /** Deterministic BullMQ job id: a second delivery of the same row is deduplicated by the queue. */
  @Index('ux_outbox_job_id', { unique: true })
  @Column({ type: 'text' })
  jobId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  availableAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deadAt: Date | null;

  @Column({ type: 'int', default: 0 })
  redrives: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;
}
