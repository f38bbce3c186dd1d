import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** Persisted strings: never rename a value. */
export type SubjectStatus = 'active' | 'restricted' | 'erased';
export const SUBJECT_STATUSES: readonly SubjectStatus[] = ['active', 'restricted', 'erased'];

/**
 * A data subject. Personal fields are ciphertexts under the subject's own data key (`subject_keys`);
 * identifiers live in `subject_identifiers`. What stays in the clear is what the consent decision needs
 * on its hot path without decrypting, and none of it identifies a person on its own.
 */
@Entity({ name: 'subjects' })
@Check('ck_subjects_status', `status IN ('active', 'restricted', 'erased')`)
@Index('ix_subjects_merged_into', ['mergedInto'], { where: 'merged_into IS NOT NULL' })
@Index('ix_subjects_last_activity', ['lastActivityAt'])
export class Subject {
  /** Generated before the insert: it is part of every ciphertext's associated data. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text', default: 'active' })
  status: SubjectStatus;

  @Column({ type: 'bytea', nullable: true })
  firstNameEnc: Buffer | null;

  @Column({ type: 'bytea', nullable: true })
  lastNameEnc: Buffer | null;

  @Column({ type: 'bytea', nullable: true })
  birthDateEnc: Buffer | null;

  @Column({ type: 'bytea', nullable: true })
  localeEnc: Buffer | null;

  /**
   * The day the subject turns 16 (Art. 8(1), as applied in Poland), set only while that day is still
   * ahead. It is derived from the encrypted birth date and does reveal it for those few subjects, which
   * we accept: the consent decision must refuse a minor's consent for 10,000 identifiers at once without
   * decrypting 10,000 rows, a date alone identifies nobody, it is cleared once the subject is of age
   * (on the next write or activity) and on erasure, and adults, the vast majority, never have it.
   */
  @Column({ type: 'date', nullable: true })
  minorUntil: string | null;

  /** An Art. 18(1) ground code (`accuracy_contested`, ...), never free text. */
  @Column({ type: 'text', nullable: true })
  restrictionReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  restrictedAt: Date | null;

  /** Art. 18(3): the e-mail telling the subject the restriction ends; it ends when that e-mail is sent. */
  @Column({ type: 'uuid', nullable: true })
  restrictionLiftNoticeId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  restrictionLiftRequestedAt: Date | null;

  /** Art. 21(3): after an objection to direct marketing the data may no longer be used for it. */
  @Column({ type: 'timestamptz', nullable: true })
  objectedDirectMarketingAt: Date | null;

  /** Art. 21(1): purpose keys the subject objected to (processing based on legitimate interests). */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  objectedPurposes: string[];

  /** Set when this record was found to be the same person as another one, which survives. */
  @Column({ type: 'uuid', nullable: true })
  mergedInto: string | null;

  @ManyToOne(() => Subject, { nullable: true })
  @JoinColumn({ name: 'merged_into', foreignKeyConstraintName: 'fk_subjects_merged_into' })
  survivor?: Subject;

  @Column({ type: 'timestamptz', nullable: true })
  mergedAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  /** Retention rules count inactivity from here. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastActivityAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  erasedAt: Date | null;
}
