import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { Env } from '../config/env';
import { ProblemError } from '../common/problem/problem.error';
import { ApiKey } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { Principal } from '../common/auth/principal';
import { Scope } from '../common/auth/scopes';

const CACHE_TTL_MS = 5_000;
const TOUCH_EVERY_MS = 60_000;
const ENV_KEY_NAME = 'env:ADMIN_API_KEY';

const BEARER = /^Bearer\s+(\S{16,200})$/i;

const hashKey = (key: string) => createHash('sha256').update(key).digest();

@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeysService.name);
  // Authentication is on the hot path of every call: keys are cached briefly. Revocation clears this
  // process's cache at once; other replicas stop accepting the key within CACHE_TTL_MS.
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private readonly touched = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<Principal | null>>();
  // Bumped by revocation: a lookup that read the key before the revocation committed must not cache it.
  private generation = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  /** The ADMIN_API_KEY from the environment is an admin key; a changed value revokes the old one. */
  async onApplicationBootstrap(): Promise<void> {
    const key = this.env.ADMIN_API_KEY;
    if (!key) return;
    const hash = hashKey(key);
    await this.dataSource.transaction(async (m) => {
      await this.keys.lockName(m, ENV_KEY_NAME);
      const existing = await this.keys.findActiveByName(m, ENV_KEY_NAME);
      if (existing.some((k) => k.keyHash.equals(hash))) return;
      for (const old of existing) {
        await this.keys.update(m, old.id, { revokedAt: new Date() });
        await this.audit.append(m, {
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: old.id,
          reason: 'ADMIN_API_KEY changed',
        });
      }
      const row = await this.keys.save(m, {
        name: ENV_KEY_NAME,
        prefix: key.slice(0, 12),
        keyHash: hash,
        scopes: ['admin'],
        createdBy: 'env',
      });
      await this.audit.append(m, {
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: row.id,
        data: { scopes: ['admin'], source: 'env' },
      });
    });
  }

  /**
   * The caller of a request: the staff session a cookie hook already resolved, else the API key in its
   * `Authorization: Bearer` header; null when neither. Shared by the guard and the routes served outside Nest's
   * pipeline (the consent check's common case, the queue dashboard), so all three read a request alike.
   */
  principalOf(req: { principal?: Principal; headers: { authorization?: string } }): Promise<Principal | null> {
    if (req.principal) return Promise.resolve(req.principal);
    const m = BEARER.exec(req.headers.authorization ?? '');
    return m ? this.authenticate(m[1]) : Promise.resolve(null);
  }

  authenticate(key: string): Promise<Principal | null> {
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.principal);
    // Fifty callers with the same key arriving as its entry expires share one lookup, not fifty.
    const shared = this.inFlight.get(key);
    if (shared) return shared;
    const pending: Promise<Principal | null> = this.lookup(key).finally(() => {
      if (this.inFlight.get(key) === pending) this.inFlight.delete(key);
    });
    this.inFlight.set(key, pending);
    return pending;
  }

  private async lookup(key: string): Promise<Principal | null> {
    const now = Date.now();
    const generation = this.generation;
    const row = await this.keys.findActiveByHash(hashKey(key));
    const principal: Principal | null = row
      ? { kind: 'api_key', id: row.id, scopes: row.scopes, ...(row.recordDecisions ? { recordDecisions: true } : {}) }
      : null;
    if (generation !== this.generation) return principal;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + CACHE_TTL_MS });
    if (row && (this.touched.get(row.id) ?? 0) + TOUCH_EVERY_MS < now) {
      this.touched.set(row.id, now);
      // Best effort: lastUsedAt is shown to admins, authentication does not depend on it, and the next use retries.
      void this.keys
        .update(this.dataSource.manager, row.id, { lastUsedAt: new Date() })
        .catch((e: unknown) =>
          this.logger.warn({ err: { name: (e as Error).name } }, 'api key lastUsedAt not updated'),
        );
    }
    return principal;
  }

  async create(name: string, scopes: Scope[], recordDecisions = false): Promise<{ row: ApiKey; key: string }> {
    const key = `zk_${randomBytes(32).toString('base64url')}`;
    const row = await this.dataSource.transaction(async (m) => {
      const saved = await this.keys.save(m, {
        name,
        prefix: key.slice(0, 10),
        keyHash: hashKey(key),
        scopes,
        recordDecisions,
        createdBy: null,
      });
      await this.audit.append(m, {
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: saved.id,
        data: { scopes, recordDecisions },
      });
      return saved;
    });
    return { row, key };
  }

  /** A key by id, revoked or not (the console names the key an entry was made with). */
  find(id: string): Promise<ApiKey | null> {
    return this.keys.find(id);
  }

  list(afterCreatedAt: string | undefined, limit: number): Promise<ApiKey[]> {
    return this.keys.list(afterCreatedAt, limit);
  }

  async revoke(id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.keys.lock(m, id);
      if (!row) throw new ProblemError('not_found', 'No API key with this id.');
      if (row.revokedAt) return;
      await this.keys.update(m, id, { revokedAt: new Date() });
      await this.audit.append(m, { action: 'api_key.revoked', targetType: 'api_key', targetId: id });
    });
    this.generation += 1;
    this.cache.clear();
    this.inFlight.clear();
  }
}
