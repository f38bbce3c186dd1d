import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Channel, LegalBasis, SpecialCategoryBasis } from './consent.types';

/** A purpose of processing (Art. 5(1)(b)): what consent, the register and retention all refer to. */
@Entity({ name: 'purposes' })
export class Purpose {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Slug used in every API call and consent event; immutable, because recorded events point at it. */
  @Index('ux_purposes_key', { unique: true })
  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text' })
  legalBasis: LegalBasis;

  @Column({ type: 'text', nullable: true })
  specialCategoryBasis: SpecialCategoryBasis | null;

  @Column({ type: 'text', array: true })
  dataCategories: string[];

  @Column({ type: 'text', array: true })
  subjectCategories: string[];

  @Column({ type: 'text', array: true })
  recipients: string[];

  @Column({ type: 'text', array: true })
  processors: string[];

  @Column({ type: 'text', array: true })
  transfers: string[];

  @Column({ type: 'text', array: true })
  channels: Channel[];

  @Column({ type: 'int' })
  minimumAge: number;

  @Column({ type: 'int', nullable: true })
  validityDays: number | null;

  @Column({ type: 'boolean' })
  doubleOptIn: boolean;

  /** Direct marketing: an objection (Art. 21(2)-(3)) and the suppression list apply. */
  @Column({ type: 'boolean' })
  marketing: boolean;

  /** Sale, sharing or targeted advertising: a Global Privacy Control signal refuses it (LEGAL item 11). */
  @Column({ type: 'boolean' })
  saleOrSharing: boolean;

  /** How long the data is kept, in words, for the texts and receipts (the enforced policy lives in retention). */
  @Column({ type: 'text', nullable: true })
  retention: string | null;

  /**
   * Art. 15(1)(h), 22: automated decision-making, including profiling, for this purpose: the logic involved,
   * its significance and envisaged consequences, in words; null: none.
   */
  @Column({ type: 'text', nullable: true })
  automatedDecisions: string | null;

  /** The newest published text version; null until the first is published. */
  @Column({ type: 'int', nullable: true })
  currentVersion: number | null;

  /** Consents given to a version below this one no longer count (a publish with `requiresReconsent`). */
  @Column({ type: 'int' })
  reconsentFromVersion: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
