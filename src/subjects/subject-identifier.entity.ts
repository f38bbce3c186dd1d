import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { Subject } from './subject.entity';

/**
 * One identifier of a subject: the value encrypted under the subject's key, found through its blind
 * index. A subject may hold several of a kind after a merge; `isPrimary` marks the one shown and used
 * for contact.
 */
@Entity({ name: 'subject_identifiers' })
@Check('ck_subject_identifiers_kind', `kind IN ('email', 'phone', 'external_id')`)
@Index('ux_subject_identifiers_lookup', ['kind', 'blindIndex', 'systemKey'], { unique: true })
@Index('ix_subject_identifiers_subject', ['subjectId'])
export class SubjectIdentifier {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  subjectId: string;

  @ManyToOne(() => Subject, { nullable: false })
  @JoinColumn({ name: 'subject_id', foreignKeyConstraintName: 'fk_subject_identifiers_subject' })
  subject?: Subject;

  @Column({ type: 'text' })
  kind: IdentifierKind;

  /** The data system an external id belongs to; '' for none (e-mail, phone, an unscoped external id). */
  @Column({ type: 'text', default: '' })
  systemKey: string;

  @Column({ type: 'bytea' })
  blindIndex: Buffer;

  @Column({ type: 'bytea' })
  valueEnc: Buffer;

  @Column({ type: 'boolean', default: false })
  isPrimary: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
