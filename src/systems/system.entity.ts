import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

import type { SystemKind } from './system.types';

export { SYSTEM_KINDS, type SystemKind } from './system.types';

/**
 * A system of the company that holds personal data (PRODUCT.md 5): what it holds, for which purposes,
 * who runs it (Art. 28 processor, Art. 44-46 transfers) and how Zgoda reaches it for requests.
 */
@Entity({ name: 'systems' })
@Check('ck_systems_kind', `kind IN ('webhook', 'manual', 'internal')`)
export class System {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** A slug, unique and immutable: purposes, breaches and requests refer to systems by it. */
  @Index('ux_systems_key', { unique: true })
  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: SystemKind;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  dataCategories: string[];

  /** Purpose keys. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  purposes: string[];

  @Column({ type: 'text', nullable: true })
  processorName: string | null;

  @Column({ type: 'text', nullable: true })
  processorContact: string | null;

  /** ISO 3166-1 alpha-2. */
  @Column({ type: 'char', length: 2, nullable: true })
  processorCountry: string | null;

  /** Art. 46 safeguards (or the adequacy decision) for a processor outside the EEA. */
  @Column({ type: 'text', nullable: true })
  transferSafeguards: string | null;

  @Column({ type: 'text', nullable: true })
  webhookUrl: string | null;

  /** Sealed with CryptoService; never returned by the API. */
  @Column({ type: 'bytea', nullable: true })
  webhookSecret: Buffer | null;

  /** The secret before the last change, still accepted on callbacks for a grace period. */
  @Column({ type: 'bytea', nullable: true })
  webhookPreviousSecret: Buffer | null;

  @Column({ type: 'timestamptz', nullable: true })
  webhookSecretRotatedAt: Date | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
