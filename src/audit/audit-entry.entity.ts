import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Append-only (Art. 5(2)): the database refuses UPDATE, DELETE and TRUNCATE on this table, and the runtime role may
 * only SELECT and INSERT. `seq` comes from a sequence; the sequencer seals entries into the Merkle tree of
 * `audit_leaves` (the `tx` column, not mapped here, orders them). Ids only: never personal data.
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

  /** The legacy hash chain, on entries written before the Merkle tree (migration 1763800030000); null since. */
  @Column({ type: 'char', length: 64, nullable: true })
  prevHash: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  hash: string | null;
}
