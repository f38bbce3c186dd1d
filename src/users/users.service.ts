import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import { normaliseEmail } from '../common/identifiers/normalise';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { hashPassword, ScryptParams, verifyPassword } from './password/password-hasher';
import { PasswordPolicy } from './password/password-policy';
import type { Role } from './roles';
import { StaffSession, StaffSessions } from './staff-sessions.service';
import { StaffUser } from './staff-user.entity';
import { UsersRepository } from './users.repository';
import { matchTotp, newTotpSecret, totpUri } from './totp';
import type { StaffUserView, TotpEnrolment } from './users.responses';

const EMAIL_AAD = (id: string) => `staff_users:${id}:email`;
const TOTP_AAD = (id: string) => `staff_users:${id}:totp`;

/** Staff accounts: creation by an admin, role changes, disabling, passwords and the TOTP factor. */
@Injectable()
export class UsersService implements OnModuleInit {
  readonly policy: PasswordPolicy;
  readonly scrypt: ScryptParams;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly sessions: StaffSessions,
    private readonly env: Env,
  ) {
    this.policy = new PasswordPolicy({
      minLength: env.STAFF_PASSWORD_MIN_LENGTH,
      maxLength: 256,
      blocklistFile: env.STAFF_PASSWORD_BLOCKLIST_FILE || undefined,
    });
    this.scrypt = { logN: env.STAFF_SCRYPT_LOG_N, r: 8, p: 1 };
  }

  onModuleInit(): void {
    // NIST SP 800-63B 5.1.1.2: verifiers "SHALL permit at least 64 characters".
    if (this.policy.options.maxLength < 64) throw new Error('The password policy must allow 64 characters');
  }

  /** The blind index of a login e-mail, or null when it is not an e-mail at all. */
  loginIndex(email: string): Buffer | null {
    try {
      return this.crypto.blindIndex('email', normaliseEmail(email));
    } catch {
      return null;
    }
  }

  view(u: StaffUser): StaffUserView {
    return {
      id: u.id,
      email: this.crypto.open(u.emailSealed, EMAIL_AAD(u.id)),
      role: u.role,
      disabled: !!u.disabledAt,
      totpEnabled: !!u.totpEnabledAt,
      passwordChangedAt: u.passwordChangedAt.toISOString(),
      lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
      createdAt: u.createdAt.toISOString(),
    };
  }

  /** Throws `weak_password` naming the rules broken (codes only: the password is never echoed). */
  assertAcceptable(password: string, email?: string): void {
    const problems = this.policy.check(password, { login: email });
    if (problems.length) {
      throw new ProblemError('weak_password', 'The password does not meet the policy.', {
        problems,
        minLength: this.policy.options.minLength,
      });
    }
  }

  async create(email: string, role: Role, password: string, createdBy: string | null): Promise<StaffUser> {
    const index = this.loginIndex(email);
    if (!index) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'email', message: 'email must be an e-mail address' }],
      });
    }
    this.assertAcceptable(password, email);
    const passwordHash = await hashPassword(password, this.scrypt);
    return this.dataSource.transaction(async (m) => {
      if (await this.users.existsByIndex(m, index))
        throw new ProblemError('conflict', 'A user with this e-mail exists.');
      const id = await this.users.newId(m);
      await this.users.insert(m, {
        id,
        emailIndex: index,
        emailSealed: this.crypto.seal(normaliseEmail(email), EMAIL_AAD(id)),
        role,
        passwordHash,
        passwordChangedAt: new Date(),
        createdBy,
      });
      await this.audit.append(m, {
        action: 'staff_user.created',
        targetType: 'staff_user',
        targetId: id,
        data: { role },
      });
      return this.users.findOrFail(m, id);
    });
  }

  /** A user by id, or null (the console names who signed or changed something, and a user may since be gone). */
  find(id: string): Promise<StaffUser | null> {
    return this.users.find(id);
  }

  async get(id: string): Promise<StaffUser> {
    const u = await this.users.find(id);
    if (!u) throw new ProblemError('not_found', 'No user with this id.');
    return u;
  }

  findByIndex(index: Buffer): Promise<StaffUser | null> {
    return this.users.findByIndex(index);
  }

  list(afterCreatedAt: string | undefined, limit: number): Promise<StaffUser[]> {
    return this.users.list(afterCreatedAt, limit);
  }

  async update(
    id: string,
    patch: { role?: Role; disabled?: boolean; password?: string; totp?: false },
  ): Promise<StaffUser> {
    const current = await this.get(id);
    if (patch.password !== undefined)
      this.assertAcceptable(patch.password, this.crypto.open(current.emailSealed, EMAIL_AAD(id)));
    const passwordHash = patch.password !== undefined ? await hashPassword(patch.password, this.scrypt) : undefined;
    let endSessions = false;
    const updated = await this.dataSource.transaction(async (m) => {
      const u = await this.lock(m, id);
      const changes: Partial<StaffUser> = {};
      const audit: string[] = [];
      if (patch.role && patch.role !== u.role) {
        changes.role = patch.role;
        await this.audit.append(m, {
          action: 'staff_user.role_changed',
          targetType: 'staff_user',
          targetId: id,
          data: { from: u.role, to: patch.role },
        });
        audit.push('role');
      }
      if (patch.disabled !== undefined && patch.disabled !== !!u.disabledAt) {
        changes.disabledAt = patch.disabled ? new Date() : null;
        await this.audit.append(m, {
          action: patch.disabled ? 'staff_user.disabled' : 'staff_user.enabled',
          targetType: 'staff_user',
          targetId: id,
        });
        audit.push('disabled');
      }
      if (passwordHash) {
        changes.passwordHash = passwordHash;
        changes.passwordChangedAt = new Date();
        await this.audit.append(m, { action: 'staff_user.password_reset', targetType: 'staff_user', targetId: id });
        audit.push('password');
      }
      if (patch.totp === false && u.totpSecretSealed) {
        changes.totpSecretSealed = null;
        changes.totpEnabledAt = null;
        await this.audit.append(m, { action: 'staff_user.totp_removed', targetType: 'staff_user', targetId: id });
        audit.push('totp');
      }
      if (!audit.length) return u;
      await this.users.update(m, id, { ...changes, updatedAt: new Date() });
      endSessions = true;
      return this.users.findOrFail(m, id);
    });
    // Any change to who someone is or what they may do ends their sessions: the next request re-authenticates.
    if (endSessions) await this.sessions.revokeAll(id);
    return updated;
  }

  /** The user's own change: the current password proves it is them, not someone at an unlocked screen. */
  async changeOwnPassword(id: string, currentPassword: string, newPassword: string): Promise<void> {
    const u = await this.get(id);
    if (!(await verifyPassword(currentPassword, u.passwordHash)))
      throw new ProblemError('invalid_credentials', 'The current password is not correct.');
    this.assertAcceptable(newPassword, this.crypto.open(u.emailSealed, EMAIL_AAD(id)));
    const passwordHash = await hashPassword(newPassword, this.scrypt);
    await this.dataSource.transaction(async (m) => {
      await this.lock(m, id);
      await this.users.update(m, id, { passwordHash, passwordChangedAt: new Date(), updatedAt: new Date() });
      await this.audit.append(m, { action: 'staff_user.password_changed', targetType: 'staff_user', targetId: id });
    });
  }

  /**
   * One's own change from a signed-in session: every other session ends, and the one in use is re-created without
   * the "expired" flag (the caller's cookie is valid only for this session id, so it is renewed in place).
   */
  async changePasswordInSession(
    s: { hash: string; session: StaffSession },
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    await this.changeOwnPassword(s.session.userId, currentPassword, newPassword);
    await this.sessions.revokeAll(s.session.userId);
    await this.sessions.restore(s.hash, { ...s.session, passwordExpired: false });
  }

  /** Enrolment step 2: a code from the app proves the secret was taken in; a time step counts once (no replay). */
  async confirmTotp(id: string, code: string): Promise<void> {
    const u = await this.get(id);
    if (u.totpEnabledAt) throw new ProblemError('conflict', 'A second factor is already enrolled.');
    const secret = this.totpSecret(u);
    const step = secret ? matchTotp(secret, code) : null;
    if (step === null || !(await this.sessions.claimTotpStep(id, step)))
      throw new ProblemError('invalid_credentials', 'The code is not correct.');
    await this.enableTotp(id);
  }

  async storeRehash(id: string, passwordHash: string): Promise<void> {
    await this.users.update(this.dataSource.manager, id, { passwordHash });
  }

  /** Enrolment step 1: a fresh secret, stored sealed but not active until a code from it is confirmed. */
  async startTotp(id: string): Promise<TotpEnrolment> {
    const u = await this.get(id);
    if (u.totpEnabledAt) throw new ProblemError('conflict', 'A second factor is already enrolled.');
    const secret = newTotpSecret();
    await this.users.update(this.dataSource.manager, id, {
      totpSecretSealed: this.crypto.seal(secret, TOTP_AAD(id)),
      updatedAt: new Date(),
    });
    const label = this.crypto.open(u.emailSealed, EMAIL_AAD(id));
    return { secret, otpauthUri: totpUri(secret, this.env.CONTROLLER_NAME, label) };
  }

  totpSecret(u: StaffUser): string | null {
    return u.totpSecretSealed ? this.crypto.open(u.totpSecretSealed, TOTP_AAD(u.id)) : null;
  }

  async enableTotp(id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lock(m, id);
      await this.users.update(m, id, { totpEnabledAt: new Date(), updatedAt: new Date() });
      await this.audit.append(m, { action: 'staff_user.totp_enrolled', targetType: 'staff_user', targetId: id });
    });
  }

  private async lock(m: EntityManager, id: string): Promise<StaffUser> {
    const u = await this.users.lock(m, id);
    if (!u) throw new ProblemError('not_found', 'No user with this id.');
    return u;
  }
}
