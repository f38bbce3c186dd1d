import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** The first characters of the key, to tell keys apart in lists; the rest is never stored. */
  @Column({ type: 'text' })
  prefix: string;

  /** SHA-256 of the whole key: keys are 256-bit random, so a fast hash cannot be brute-forced. */
  @Index('ux_api_keys_key_hash', { unique: true })
  @Column({ type: 'bytea' })
  keyHash: Buffer;

  @Column({ type: 'text', array: true })
  scopes: string[];

  /** Issue 14 item 3: every decision this key asks for is kept in the decision log, `record` or not. */
  @Column({ type: 'boolean', default: false })
  recordDecisions: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  createdBy: string | null;
}
