import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { ToldBy } from '../common/validation/told-by';
import type {
  Locale,
  NamedRecipient,
  ObjectionOutcome,
  RequestSource,
  RequestStatus,
  RequestType,
  Resolution,
} from './request.types';

/**
 * A data-subject request (Art. 15-21). Personal data is kept out of the clear columns: the address to
 * answer to and the subject's free text are sealed, and wiped once the request is over (LEGAL item 21:
 * what stays is an id-only record that the request was handled).
 */
@Entity({ name: 'requests' })
@Check('ck_requests_type', `type IN ('access', 'portability', 'erasure', 'rectification', 'restriction', 'objection')`)
@Check(
  'ck_requests_status',
  `status IN ('received', 'awaiting_verification', 'verified', 'in_progress', 'awaiting_recipients', 'completed', 'cancelled', 'failed')`,
)
@Check('ck_requests_extension_told_by', `extension_told_by IN ('email', 'letter', 'phone', 'in_person')`)
@Check('ck_requests_assessment_outcome', `assessment_outcome IN ('upheld', 'compelling_grounds')`)
@Check('ck_requests_assessment_told_by', `assessment_told_by IN ('email', 'letter', 'phone', 'in_person')`)
@Check('ck_requests_resolution', `resolution IN ('fulfilled', 'partially_fulfilled', 'rejected')`)
@Index('ix_requests_received', ['receivedAt', 'id'])
@Index('ux_requests_follows', ['follows'], { unique: true, where: 'follows IS NOT NULL' })
@Index('ix_requests_subject', ['subjectId', 'type'], { where: 'subject_id IS NOT NULL' })
// The deadline sweep, the digest and ?overdue=true only look at open requests.
@Index('ix_requests_open_due', ['dueAt'], { where: `status NOT IN ('completed', 'cancelled')` })
// The sweep expires requests still waiting for verification, oldest first.
@Index('ix_requests_unverified', ['createdAt'], { where: `status = 'awaiting_verification'` })
export class DsrRequest {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  type: RequestType;

  @Column({ type: 'text' })
  status: RequestStatus;

  @Column({ type: 'text', nullable: true })
  resolution: Resolution | null;

  /** A stable code (`identity_not_verified`, `duplicate`, `rejected_by_staff`). */
  @Column({ type: 'text', nullable: true })
  resolutionCode: string | null;

  /** Staff's reasons told to the subject (Art. 12(4)), sealed: free text may name people. */
  @Column({ type: 'bytea', nullable: true })
  resolutionReasonSealed: Buffer | null;

  @Column({ type: 'text' })
  source: RequestSource;

  @Column({ type: 'uuid', nullable: true })
  subjectId: string | null;

  @Column({ type: 'text', default: 'pl' })
  locale: Locale;

  /** The e-mail address to answer to, sealed; null once the request is over or when nobody may be told. */
  @Column({ type: 'bytea', nullable: true })
  contactSealed: Buffer | null;

  /** `{ details, changes, purposes }` as given, sealed. */
  @Column({ type: 'bytea', nullable: true })
  detailsSealed: Buffer | null;

  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  /** Art. 12(3) deadline of the first month (legal-clock.ts). */
  @Column({ type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'int', default: 0 })
  extensionMonths: number;

  @Column({ type: 'timestamptz', nullable: true })
  extendedDueAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  extendedAt: Date | null;

  @Column({ type: 'bytea', nullable: true })
  extensionReasonSealed: Buffer | null;

  /** Art. 12(3): how the subject was told of the extension: `email`, or what staff recorded. */
  @Column({ type: 'text', nullable: true })
  extensionToldBy: ToldBy | null;

  @Column({ type: 'timestamptz', nullable: true })
  extensionToldAt: Date | null;

  /**
   * Art. 19: recipients named on the subject's purposes that no registered system stands for; staff tell them
   * and record it. Names of companies, not of people.
   */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  recipients: NamedRecipient[];

  /** Art. 21(1), objections to named purposes: the controller's assessment, once made. */
  @Column({ type: 'text', nullable: true })
  assessmentOutcome: ObjectionOutcome | null;

  @Column({ type: 'timestamptz', nullable: true })
  assessedAt: Date | null;

  /** Told to the subject; may quote the case, so sealed like other free text on a request. */
  @Column({ type: 'bytea', nullable: true })
  assessmentReasonsSealed: Buffer | null;

  @Column({ type: 'text', nullable: true })
  assessmentToldBy: ToldBy | null;

  @Column({ type: 'timestamptz', nullable: true })
  assessmentToldAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** An earlier open request of the same subject and type this one was folded into. */
  @Column({ type: 'uuid', nullable: true })
  duplicateOf: string | null;

  /** Art. 17(3): the erasure whose held data this one erases, now that the hold has ended (one per erasure). */
  @Column({ type: 'uuid', nullable: true })
  follows: string | null;

  @ManyToOne(() => DsrRequest, { nullable: true })
  @JoinColumn({ name: 'follows', foreignKeyConstraintName: 'fk_requests_follows' })
  followed?: DsrRequest;

  /** `ok`, `at_risk`, `overdue`: set by the deadline sweep so the DPO is told once per change. */
  @Column({ type: 'text', default: 'ok' })
  deadlineState: string;

  /** Staff retries so far; part of the job ids of the retried work. */
  @Column({ type: 'int', default: 0 })
  retries: number;

  /** Erasure certificate (compact JWS, ids only). */
  @Column({ type: 'text', nullable: true })
  certificate: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
