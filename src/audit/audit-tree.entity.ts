import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A sealed audit entry: leaf `position` of the RFC 9162 tree, the entry's `seq` and its leaf hash. Append-only in the
 * database like the log itself. Read and written with SQL in AuditTreeRepository; the entity names the table.
 */
@Entity({ name: 'audit_leaves' })
@Index('ux_audit_leaves_seq', ['seq'], { unique: true })
@Check('ck_audit_leaves_position', 'position >= 0')
@Check('ck_audit_leaves_hash', 'length(leaf_hash) = 32')
export class AuditLeaf {
  @PrimaryColumn({ type: 'bigint' })
  position: string;

  @Column({ type: 'bigint' })
  seq: string;

  @Column({ type: 'bytea' })
  leafHash: Buffer;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  sealedAt: Date;
}

/**
 * The tree's one row: its size, right edge (`frontier`, the roots of its perfect subtrees, largest first) and root,
 * so sealing a batch never rereads earlier leaves. `lastTx` and `lastSeq` are the sequencer's cursor.
 */
@Entity({ name: 'audit_tree' })
@Check('ck_audit_tree_one', 'id = 1')
export class AuditTree {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'bigint' })
  size: string;

  @Column({ type: 'bigint', nullable: true })
  lastTx: string | null;

  @Column({ type: 'bigint', nullable: true })
  lastSeq: string | null;

  @Column({ type: 'bytea', array: true })
  frontier: Buffer[];

  @Column({ type: 'bytea' })
  root: Buffer;

  @Column({ type: 'timestamptz', nullable: true })
  sealedAt: Date | null;
}
