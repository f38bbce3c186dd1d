import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The audit module's Ed25519 keys; the private half sealed with CryptoService. Retired keys stay to verify old ones. */
@Entity({ name: 'audit_signing_keys' })
export class AuditSigningKey {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  alg: string;

  /** SPKI PEM. */
  @Column({ type: 'text' })
  publicKey: string;

  @Column({ type: 'bytea' })
  privateKeySealed: Buffer;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}

/** A signed checkpoint of the audit tree, one per size reached; append-only. `jws` is what a verifier keeps. */
@Entity({ name: 'audit_checkpoints' })
@Index('ix_audit_checkpoints_issued', ['issuedAt'])
export class AuditCheckpoint {
  @PrimaryColumn({ type: 'bigint' })
  treeSize: string;

  @Column({ type: 'bytea' })
  rootHash: Buffer;

  @Column({ type: 'timestamptz' })
  issuedAt: Date;

  @Column({ type: 'uuid' })
  kid: string;

  @Column({ type: 'text' })
  jws: string;
}
