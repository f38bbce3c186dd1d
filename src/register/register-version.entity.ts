import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A version of the register the DPO signed off (LEGAL item 30): the register as generated at that moment,
 * in both languages. Append-only (migration): what was signed must stay provable (Art. 5(2)).
 */
@Entity({ name: 'register_versions' })
@Check('ck_register_versions_role', `role IN ('controller', 'processor')`)
export class RegisterVersion {
  @PrimaryColumn({ type: 'text' })
  role: 'controller' | 'processor';

  @PrimaryColumn({ type: 'int' })
  version: number;

  /** `{ pl: Register, en: Register }`. */
  @Column({ type: 'jsonb' })
  snapshot: Record<string, unknown>;

  /** SHA-256 of the Polish snapshot, so a printed copy can be matched to the record. */
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'text' })
  signedOffBy: string;

  @Column({ type: 'timestamptz' })
  signedOffAt: Date;

  /** Seq of the sign-off's audit entry; before issue 16 every register change with a higher seq came after it. */
  @Column({ type: 'bigint' })
  auditSeq: string;

  /** The audit log as the sign-off saw it (AuditLogReaderService.mark): what it could not see came after. */
  @Column({ type: 'text', nullable: true })
  auditMark: string | null;
}
