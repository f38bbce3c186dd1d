import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Keys that sign consent receipts. A retired key signs nothing new but stays in the JWKS, so every
 * receipt ever handed out can still be verified.
 */
@Entity({ name: 'receipt_signing_keys' })
export class ReceiptSigningKey {
  /** Also the JWS `kid`. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  alg: string;

  @Column({ type: 'jsonb' })
  publicJwk: Record<string, unknown>;

  /** The private JWK, sealed with CryptoService.seal. */
  @Column({ type: 'bytea' })
  privateKeySealed: Buffer;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
