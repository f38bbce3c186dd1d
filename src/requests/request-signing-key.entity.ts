import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Keys of the requests module: Ed25519 for erasure certificates, RSA for OpenGDPR callbacks. Private
 * keys sealed with CryptoService; retired keys stay so that old signatures still verify.
 */
@Entity({ name: 'request_signing_keys' })
@Check('ck_request_signing_keys_use', `use IN ('certificate', 'opengdpr')`)
@Index('ix_request_signing_keys_active', ['use', 'createdAt'], { where: 'retired_at IS NULL' })
export class RequestSigningKey {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  use: 'certificate' | 'opengdpr';

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
