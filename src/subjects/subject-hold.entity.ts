import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { HOLD_BASES, HoldBasis } from './subject-rules';
import { Subject } from './subject.entity';

/**
 * A legal hold (Art. 17(3)(b), (e)): while it is active, neither retention nor erasure may destroy the
 * subject's data. The reason often names a case, so it is encrypted like the subject's other data.
 */
@Entity({ name: 'subject_holds' })
@Check('ck_subject_holds_legal_basis', `legal_basis IN (${HOLD_BASES.map((b) => `'${b}'`).join(', ')})`)
@Index('ix_subject_holds_subject', ['subjectId', 'createdAt'])
export class SubjectHold {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  subjectId: string;

  @ManyToOne(() => Subject, { nullable: false })
  @JoinColumn({ name: 'subject_id', foreignKeyConstraintName: 'fk_subject_holds_subject' })
  subject?: Subject;

  /** Null once the subject is erased (after the hold was released). */
  @Column({ type: 'bytea', nullable: true })
  reasonEnc: Buffer | null;

  /** Data categories kept (Art. 17(3) keeps only what the ground needs); empty: everything. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  categories: string[];

  /** The Art. 17(3) ground; null only on holds placed before it was recorded. */
  @Column({ type: 'text', nullable: true })
  legalBasis: HoldBasis | null;

  /** Null: until released. */
  @Column({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** `<principal kind>:<id>`, never a name. */
  @Column({ type: 'text' })
  createdBy: string;

  @Column({ type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  releasedBy: string | null;
}
