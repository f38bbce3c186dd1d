import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { hashToken, randomToken } from '../common/crypto/tokens';
import { ProblemError } from '../common/problem/problem.error';
import { RequestToken, RequestTokenPurpose } from './request-token.entity';
import { RequestTokensRepository } from './request-tokens.repository';

const MAX_TOKEN_LENGTH = 200;

/**
 * Opaque links for the subject (LEGAL item 15): 256 random bits in the URL, only their SHA-256 stored,
 * each bound to one request and one purpose, expiring, and dead after too many uses.
 */
/** A JSON body can carry anything where the type says string (a form route's body is not validated as a class). */
const wellFormed = (raw: unknown): raw is string =>
  typeof raw === 'string' && raw.length > 0 && raw.length <= MAX_TOKEN_LENGTH;

@Injectable()
export class RequestTokens {
  constructor(private readonly repo: RequestTokensRepository) {}

  async issue(
    m: EntityManager,
    requestId: string,
    purpose: RequestTokenPurpose,
    ttlMs: number,
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = randomToken();
    const expiresAt = new Date(Date.now() + ttlMs);
    await this.repo.insertToken(m, { id: randomUUID(), requestId, purpose, tokenHash: hashToken(token), expiresAt });
    return { token, expiresAt };
  }

  /**
   * Checks a token and counts the use. `requestId`, when given, must match: a status link of one request
   * never opens another. Every failure is the same `invalid_token` except a genuine but stale link.
   */
  async check(
    raw: string | undefined,
    purpose: RequestTokenPurpose,
    maxUses: number,
    requestId?: string,
  ): Promise<RequestToken> {
    const row = await this.find(raw, purpose, requestId);
    const uses = await this.repo.countTokenUse(row.tokenHash);
    if (uses === null || uses > maxUses) throw this.invalid();
    return row;
  }

  /** Single use: locks the row; the caller marks it used in the same transaction. */
  async lockForUse(m: EntityManager, raw: string | undefined, purpose: RequestTokenPurpose): Promise<RequestToken> {
    if (!wellFormed(raw)) throw this.invalid();
    const row = await this.repo.lockToken(m, hashToken(raw));
    this.assertUsable(row, purpose);
    return row!;
  }

  async markUsed(m: EntityManager, row: RequestToken): Promise<void> {
    await this.repo.updateToken(m, row.id, { usedAt: new Date() });
  }

  private async find(raw: string | undefined, purpose: RequestTokenPurpose, requestId?: string): Promise<RequestToken> {
    if (!wellFormed(raw)) throw this.invalid();
    const row = await this.repo.findToken(hashToken(raw));
    this.assertUsable(row, purpose);
    if (requestId && row!.requestId !== requestId) throw this.invalid();
    return row!;
  }

  private assertUsable(row: RequestToken | null, purpose: RequestTokenPurpose): void {
    if (!row || row.purpose !== purpose || (purpose === 'verify' && row.usedAt)) throw this.invalid();
    if (row.expiresAt.getTime() <= Date.now()) throw new ProblemError('link_expired', 'This link has expired.');
  }

  private invalid(): ProblemError {
    return new ProblemError('invalid_token', 'This link is not valid.');
  }
}
