import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './roles';

/**
 * A person who logs in to the console. The login e-mail is personal data of the employee: it is kept
 * sealed, and found through a keyed blind index, like a subject's.
 */
@Entity({ name: 'staff_users' })
@Check('ck_staff_users_role', `role IN ('admin', 'dpo', 'staff', 'marketing')`)
export class StaffUser {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('ux_staff_users_email_index', { unique: true })
  @Column({ type: 'bytea' })
  emailIndex: Buffer;

  @Column({ type: 'bytea' })
  emailSealed: Buffer;

  @Column({ type: 'text' })
  role: Role;

  /** `scrypt$logN$r$p$salt$hash`. */
  @Column({ type: 'text' })
  passwordHash: string;

  @Column({ type: 'timestamptz' })
  passwordChangedAt: Date;

  /** Sealed base32 TOTP secret; set at enrolment, active once `totpEnabledAt` is set. */
  @Column({ type: 'bytea', nullable: true })
  totpSecretSealed: Buffer | null;

  @Column({ type: 'timestamptz', nullable: true })
  totpEnabledAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /** `api_key:<id>` or `staff:<id>` of whoever created the account. */
  @Column({ type: 'text', nullable: true })
  createdBy: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
