import { Injectable } from '@nestjs/common';
import { CryptoService } from '../common/crypto/crypto.service';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';

const DAY = 24 * 3600;
// An unsubscribe link must keep working as long as an old message may be read (Art. 7(3), 21(3)).
export const UNSUBSCRIBE_TTL_S = 400 * DAY;
export const PREFERENCES_TTL_S = 30 * DAY;
export const CONFIRM_TTL_S = 7 * DAY;

export interface UnsubscribeClaims {
  subjectId: string;
  purposeKey: string;
  channel: string;
}

/**
 * Signed, stateless links for people (no API key): ids only in the payload, since URLs end up in
 * browser histories and mail-scanner logs.
 */
@Injectable()
export class ConsentLinksService {
  constructor(
    private readonly crypto: CryptoService,
    private readonly env: Env,
  ) {}

  unsubscribeToken(c: UnsubscribeClaims): string {
    return this.crypto.signToken(
      { purpose: 'unsubscribe', s: c.subjectId, p: c.purposeKey, c: c.channel },
      UNSUBSCRIBE_TTL_S,
    );
  }

  preferencesToken(subjectId: string): string {
    return this.crypto.signToken({ purpose: 'preferences', s: subjectId }, PREFERENCES_TTL_S);
  }

  confirmToken(eventId: string): string {
    return this.crypto.signToken({ purpose: 'confirm-consent', e: eventId }, CONFIRM_TTL_S);
  }

  url(path: string, token: string): string {
    return `${this.env.PUBLIC_BASE_URL.replace(/\/$/, '')}${path}?token=${encodeURIComponent(token)}`;
  }

  readUnsubscribe(token: string): UnsubscribeClaims {
    const p = this.verify(token, 'unsubscribe');
    if (typeof p.s !== 'string' || typeof p.p !== 'string' || typeof p.c !== 'string') throw this.invalid();
    return { subjectId: p.s, purposeKey: p.p, channel: p.c };
  }

  readPreferences(token: string): string {
    const p = this.verify(token, 'preferences');
    if (typeof p.s !== 'string') throw this.invalid();
    return p.s;
  }

  readConfirm(token: string): string {
    const p = this.verify(token, 'confirm-consent');
    if (typeof p.e !== 'string') throw this.invalid();
    return p.e;
  }

  private verify(token: string | undefined, purpose: string): Record<string, unknown> {
    if (!token) throw this.invalid();
    const result = this.crypto.verifyToken(token, purpose);
    if (result.ok) return result.payload;
    if (result.reason === 'expired') throw new ProblemError('link_expired', 'This link has expired.');
    throw this.invalid();
  }

  private invalid(): ProblemError {
    return new ProblemError('invalid_token', 'This link is not valid.');
  }
}
