import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One locale of one version of a purpose's consent text. Drafts may change; once `publishedAt` is set the
 * row is frozen, here and by a database trigger (LEGAL item 1).
 */
@Entity({ name: 'consent_texts' })
@Index('ux_consent_texts_version_locale', ['purposeKey', 'version', 'locale'], { unique: true })
export class ConsentText {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  purposeKey: string;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'text' })
  locale: string;

  @Column({ type: 'text' })
  title: string;

  /** The handlebars source. */
  @Column({ type: 'text' })
  body: string;

  /** The exact text shown to people, rendered once at publication. */
  @Column({ type: 'text', nullable: true })
  rendered: string | null;

  /** SHA-256 (hex) of `rendered`: what consent events and receipts refer to. */
  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Column({ type: 'boolean' })
  requiresReconsent: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  /**
   * Brought in with an import (issue 14 item 1): the exact words shown before Zgoda, published at the earliest
   * time a row of the import says someone agreed to them. Numbered 0, -1, ... below Zgoda's own versions.
   */
  @Column({ type: 'boolean', default: false })
  imported: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
