import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only (Art. 5(2)): the database refuses UPDATE, DELETE and TRUNCATE on this table, and the runtime role may
 * only SELECT and INSERT. `seq` comes from a sequence; the sequencer seals entries into the Merkle tree of
 * `audit_leaves` in (tx, seq) order. Ids only: never personal data.
 */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_subject', ['subjectId', 'seq'])
@Index('ix_audit_log_action', ['action', 'seq'])
@Index('ix_audit_log_target', ['targetType', 'targetId'])
@Index('ix_audit_log_tx', ['tx', 'seq'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  /**
   * The writing transaction's 64-bit id (`pg_current_xact_id()` as bigint), which orders sealing; 1 on entries from before the
   * tree. Set by the database; never read into the entity.
   */
  @Column({
    type: 'bigint',
    select: false,
    insert: false,
    update: false,
    default: () => 'zgoda_current_tx()',
  })
  tx?: string;

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
