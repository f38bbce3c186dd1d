import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Append-only and hash-chained (LEGAL item 27). The database refuses UPDATE, DELETE and TRUNCATE on this
 * table (migration), so there is no code path that changes a row. Ids only: never personal data.
 */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_subject', ['subjectId', 'seq'])
@Index('ix_audit_log_action', ['action', 'seq'])
@Index('ix_audit_log_target', ['targetType', 'targetId'])
export class AuditEntry {
  @PrimaryColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'uuid' })
  id: string;

  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'text' })
  actorType: string;

  @Column({ type: 'text' })
  actorId: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  targetType: string;

  @Column({ type: 'text', nullable: true })
  targetId: string | null;

  @Column({ type: 'uuid', nullable: true })
  subjectId: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'text', nullable: true })
  correlationId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  data: Record<string, unknown> | null;

  @Column({ type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64 })
  hash: string;
}
