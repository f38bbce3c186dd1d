import { Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditInput, AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { hashPassword, needsRehash, verifyPassword } from './password/password-hasher';
import { StaffSession, StaffSessions } from './staff-sessions.service';
import { StaffUser } from './staff-user.entity';
import { matchTotp } from './totp';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

export type LoginOutcome =
  { kind: 'session'; sessionId: string; session: StaffSession; user: StaffUser } | { kind: 'totp'; mfaToken: string };

const ANONYMOUS = { type: 'anonymous', id: 'login' };

/**
 * Password and TOTP login. Every answer to a failed attempt is the same `invalid_credentials`, and an
 * unknown login costs the same scrypt work as a known one: neither the message nor the timing tells
 * whether an account exists. Failures are counted per login name, known or not, for the same reason.
 */
@Injectable()
export class LoginService implements OnModuleInit {
  private dummyHash = '';

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly usersRepo: UsersRepository,
    private readonly sessions: StaffSessions,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await hashPassword('not-a-password-anyone-has', this.users.scrypt);
  }

  private loginKey(email: string, index: Buffer | null): string {
    return index
      ? index.toString('hex')
      : createHash('sha256').update(`not-an-email:${email.toLowerCase()}`).digest('hex');
  }

  async login(email: string, password: string): Promise<LoginOutcome> {
    const index = this.users.loginIndex(email);
    const key = this.loginKey(email, index);
    const user = index ? await this.users.findByIndex(index) : null;
    const actor = user ? { type: 'staff', id: user.id } : ANONYMOUS;
    if (await this.sessions.isLocked(key)) {
      await this.record({ action: 'staff_user.login_failed', data: { reason: 'locked' } }, user, actor);
      throw new ProblemError('account_locked', 'Too many failed attempts; try again later.');
    }
    const ok = await verifyPassword(password, user?.passwordHash ?? this.dummyHash);
    if (!user || !ok || user.disabledAt) {
      const reason = !user ? 'unknown_login' : !ok ? 'wrong_password' : 'disabled';
      await this.fail(key, user, actor, reason);
    }
    const u = user!;
    await this.sessions.clearFailures(key);
    if (needsRehash(u.passwordHash, this.users.scrypt))
      await this.users.storeRehash(u.id, await hashPassword(password, this.users.scrypt));
    if (u.totpEnabledAt) {
      await this.record({ action: 'staff_user.login_password_accepted' }, u, actor);
      return { kind: 'totp', mfaToken: await this.sessions.startMfa(u.id) };
    }
    return this.complete(u, 'password');
  }

  async totp(mfaToken: string, code: string): Promise<LoginOutcome> {
    const userId = await this.sessions.pendingMfa(mfaToken);
    if (!userId) throw new ProblemError('invalid_credentials', 'The login step has expired; start again.');
    const u = await this.users.get(userId);
    const key = u.emailIndex.toString('hex');
    const actor = { type: 'staff', id: u.id };
    if (await this.sessions.isLocked(key)) {
      await this.sessions.endMfa(mfaToken);
      await this.record({ action: 'staff_user.login_failed', data: { reason: 'locked' } }, u, actor);
      throw new ProblemError('account_locked', 'Too many failed attempts; try again later.');
    }
    const secret = this.users.totpSecret(u);
    const step = secret && u.totpEnabledAt ? matchTotp(secret, code) : null;
    if (step === null || !(await this.sessions.claimTotpStep(u.id, step)) || u.disabledAt) {
      await this.sessions.failMfa(mfaToken);
      await this.fail(key, u, actor, 'wrong_totp');
    }
    await this.sessions.endMfa(mfaToken);
    await this.sessions.clearFailures(key);
    return this.complete(u, 'totp');
  }

  async logout(hash: string, session: StaffSession): Promise<void> {
    await this.sessions.revoke(hash, session.userId);
    await this.record({ action: 'staff_user.logout' }, { id: session.userId }, { type: 'staff', id: session.userId });
  }

  async logoutEverywhere(userId: string, by: { type: string; id: string }): Promise<number> {
    const ended = await this.sessions.revokeAll(userId);
    await this.record({ action: 'staff_user.logout_all', data: { sessions: ended } }, { id: userId }, by);
    return ended;
  }

  passwordExpired(u: StaffUser): boolean {
    const days = this.env.STAFF_PASSWORD_MAX_AGE_DAYS;
    return days > 0 && u.passwordChangedAt.getTime() + days * 86_400_000 < Date.now();
  }

  private async complete(u: StaffUser, factor: 'password' | 'totp'): Promise<LoginOutcome> {
    const expired = this.passwordExpired(u);
    const { id, session } = await this.sessions.create(u.id, u.role, expired);
    await this.dataSource.transaction(async (m) => {
      await this.usersRepo.update(m, u.id, { lastLoginAt: new Date() });
      await this.audit.append(m, {
        action: 'staff_user.login',
        targetType: 'staff_user',
        targetId: u.id,
        data: { factors: factor === 'totp' ? ['password', 'totp'] : ['password'], passwordExpired: expired },
        actor: { type: 'staff', id: u.id },
      });
    });
    return { kind: 'session', sessionId: id, session, user: u };
  }

  private async fail(
    key: string,
    user: StaffUser | null,
    actor: { type: string; id: string },
    reason: string,
  ): Promise<never> {
    const lockedNow = await this.sessions.recordFailure(key);
    await this.record({ action: 'staff_user.login_failed', data: { reason } }, user, actor);
    if (lockedNow) {
      await this.record(
        {
          action: 'staff_user.locked',
          data: { threshold: this.env.STAFF_LOCKOUT_THRESHOLD, minutes: this.env.STAFF_LOCKOUT_MINUTES },
        },
        user,
        actor,
      );
    }
    throw new ProblemError('invalid_credentials', 'The e-mail, password or code is not correct.');
  }

  private async record(
    input: Pick<AuditInput, 'action' | 'data'>,
    user: { id: string } | null,
    actor: { type: string; id: string },
  ): Promise<void> {
    await this.dataSource.transaction((m) =>
      this.audit.append(m, { ...input, targetType: 'staff_user', targetId: user?.id ?? null, actor }),
    );
  }
}
