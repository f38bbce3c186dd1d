import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { Env } from '../config/env';
import { RedisWatch, unavailableAs503 } from '../common/redis/redis-availability';
import { redisOptionsFromUrl } from '../common/redis/redis-connection';
import type { Role } from './roles';

export interface StaffSession {
  userId: string;
  role: Role;
  /** ms since epoch: the absolute timeout runs from here. */
  createdAt: number;
  /** Sent back in `x-csrf-token` (API) or the `_csrf` field (console forms) on every state change. */
  csrf: string;
  /** An optional maximum password age has passed: the session may only change the password. */
  passwordExpired: boolean;
}

interface PendingMfa {
  userId: string;
  attempts: number;
}

const MFA_TTL_MS = 5 * 60_000;
const MFA_MAX_ATTEMPTS = 5;

// Only a hash of the session id is stored: a copy of Redis (a backup, a replica) yields no usable cookie.
const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Server-side staff sessions in Redis: a random 256-bit id in the cookie, the state here. Idle timeout
 * through the key's TTL (renewed on use), absolute timeout checked against `createdAt`; a per-user set
 * makes "log out everywhere" (and revocation on a role change or disable) one operation.
 */
@Injectable()
export class StaffSessions implements OnApplicationShutdown {
  private readonly redis: IORedis;
  private readonly prefix: string;
  readonly idleMs: number;
  readonly absoluteMs: number;

  constructor(private readonly env: Env) {
    // No offline queue: with Redis gone a login fails at once (503), instead of waiting on a reconnect. Connected at
    // once, since without the queue a lazy client's first command would fail while it connects.
    const client = new IORedis({
      ...redisOptionsFromUrl(env.REDIS_URL),
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    new RedisWatch('sessions').attach(client);
    this.redis = unavailableAs503(client);
    this.prefix = `${env.REDIS_PREFIX}:staff`;
    this.idleMs = env.STAFF_SESSION_IDLE_MINUTES * 60_000;
    this.absoluteMs = env.STAFF_SESSION_ABSOLUTE_HOURS * 3_600_000;
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}:${kind}:${id}`;
  }

  async create(userId: string, role: Role, passwordExpired: boolean): Promise<{ id: string; session: StaffSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: StaffSession = {
      userId,
      role,
      createdAt: Date.now(),
      csrf: randomBytes(24).toString('base64url'),
      passwordExpired,
    };
    const hash = digest(id);
    await this.redis
      .multi()
      .set(this.key('session', hash), JSON.stringify(session), 'PX', Math.min(this.idleMs, this.absoluteMs))
      .sadd(this.key('user-sessions', userId), hash)
      .pexpire(this.key('user-sessions', userId), this.absoluteMs)
      .exec();
    return { id, session };
  }

  /** The live session for a cookie value, renewing its idle timeout; null when unknown or expired. */
  async resolve(id: string): Promise<{ hash: string; session: StaffSession } | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const hash = digest(id);
    const raw = await this.redis.get(this.key('session', hash));
    if (!raw) return null;
    const session = JSON.parse(raw) as StaffSession;
    const left = session.createdAt + this.absoluteMs - Date.now();
    if (left <= 0) {
      await this.revoke(hash, session.userId);
      return null;
    }
    await this.redis.pexpire(this.key('session', hash), Math.min(this.idleMs, left));
    return { hash, session };
  }

  async revoke(hash: string, userId: string): Promise<void> {
    await this.redis.multi().del(this.key('session', hash)).srem(this.key('user-sessions', userId), hash).exec();
  }

  /** Puts one session back (after "log out everywhere else" on a password change). */
  async restore(hash: string, session: StaffSession): Promise<void> {
    const left = session.createdAt + this.absoluteMs - Date.now();
    if (left <= 0) return;
    await this.redis
      .multi()
      .set(this.key('session', hash), JSON.stringify(session), 'PX', Math.min(this.idleMs, left))
      .sadd(this.key('user-sessions', session.userId), hash)
      .pexpire(this.key('user-sessions', session.userId), this.absoluteMs)
      .exec();
  }

  /** Ends every session of the user; returns how many were live. */
  async revokeAll(userId: string): Promise<number> {
    const set = this.key('user-sessions', userId);
    const hashes = await this.redis.smembers(set);
    if (!hashes.length) return 0;
    const results = await this.redis
      .multi()
      .del(...hashes.map((h) => this.key('session', h)))
      .del(set)
      .exec();
    return Number(results?.[0]?.[1] ?? 0);
  }

  async count(userId: string): Promise<number> {
    const hashes = await this.redis.smembers(this.key('user-sessions', userId));
    if (!hashes.length) return 0;
    const exists = await this.redis.exists(...hashes.map((h) => this.key('session', h)));
    return exists;
  }

  // ---- the step between password and TOTP code ----

  async startMfa(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const state: PendingMfa = { userId, attempts: 0 };
    await this.redis.set(this.key('mfa', digest(token)), JSON.stringify(state), 'PX', MFA_TTL_MS);
    return token;
  }

  async pendingMfa(token: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const raw = await this.redis.get(this.key('mfa', digest(token)));
    return raw ? (JSON.parse(raw) as PendingMfa).userId : null;
  }

  /** Counts a wrong code; the pending step ends after a few, so one password cannot be used for guessing. */
  async failMfa(token: string): Promise<void> {
    const k = this.key('mfa', digest(token));
    const raw = await this.redis.get(k);
    if (!raw) return;
    const state = JSON.parse(raw) as PendingMfa;
    state.attempts += 1;
    if (state.attempts >= MFA_MAX_ATTEMPTS) await this.redis.del(k);
    else await this.redis.set(k, JSON.stringify(state), 'KEEPTTL');
  }

  async endMfa(token: string): Promise<void> {
    await this.redis.del(this.key('mfa', digest(token)));
  }

  /** True the first time a (user, time step) pair is seen: a TOTP code works once (RFC 6238 5.2). */
  async claimTotpStep(userId: string, step: number): Promise<boolean> {
    return (await this.redis.set(this.key('totp-used', `${userId}:${step}`), '1', 'EX', 180, 'NX')) === 'OK';
  }

  // ---- lockout ----

  /** Failures counted per login name (a hash of it), known or not, so a lock reveals no existence. */
  async isLocked(loginKey: string): Promise<boolean> {
    return (await this.redis.exists(this.key('lock', loginKey))) === 1;
  }

  /** Counts a failure; true when this one reached the threshold and the lock started. */
  async recordFailure(loginKey: string): Promise<boolean> {
    const windowMs = this.env.STAFF_LOCKOUT_MINUTES * 60_000;
    const k = this.key('fail', loginKey);
    const [[, n]] = (await this.redis.multi().incr(k).pexpire(k, windowMs, 'NX').exec()) as [[Error | null, number]];
    if (n < this.env.STAFF_LOCKOUT_THRESHOLD) return false;
    await this.redis.multi().set(this.key('lock', loginKey), '1', 'PX', windowMs).del(k).exec();
    return true;
  }

  async clearFailures(loginKey: string): Promise<void> {
    await this.redis.del(this.key('fail', loginKey), this.key('lock', loginKey));
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
