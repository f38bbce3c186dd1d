import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'idempotency_keys' })
@Index('ix_idempotency_keys_created', ['createdAt'])
export class IdempotencyRecord {
  /** Keys are scoped to the caller, so two clients can never see each other's responses. */
  @PrimaryColumn({ type: 'text' })
  principalId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  route: string;

  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'int', nullable: true })
  responseStatus: number | null;

  /**
   * What the first answer created (ids and keys, see IdempotencyRef), read again to answer a replay. Never the
   * body: it held new API keys and decrypted addresses. Null on a claim, and on records answered before 1763800027000.
   */
  @Column({ type: 'jsonb', nullable: true })
  resourceRef: Record<string, string | number | boolean | null> | null;

  /** Until when the claiming request owns the key; a claim with no answer past it was lost with its process. */
  @Column({ type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  /**
   * When the guarded work's transaction committed, written in that transaction: set with no answer, the process died
   * between the commit and storing the answer, and a retry must not run the work again.
   */
  @Column({ type: 'timestamptz', nullable: true })
  committedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
