import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';

export const CSRF_COOKIE = 'zg_csrf';
export const CSRF_FIELD = '_csrf';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a session guard (the console) so form tokens are bound to the session, not only the browser. */
    csrfBinding?: string;
  }
}

/**
 * Signed double-submit cookie (OWASP CSRF cheat sheet): a random httpOnly cookie, and in every form a
 * token that is an HMAC of that cookie (and of the session, when there is one) under a server key. A
 * cross-site page can make the browser send the cookie but can neither read it nor compute the token;
 * SameSite=Lax is a second line, not the defence.
 */
@Injectable()
export class CsrfService {
  private readonly key: Buffer;
  readonly secureCookies: boolean;

  constructor(env: Env) {
    this.key = Buffer.from(
      hkdfSync('sha256', Buffer.from(env.ENCRYPTION_KEY, 'base64'), Buffer.alloc(0), 'zgoda:web:csrf', 32),
    );
    this.secureCookies = env.PUBLIC_BASE_URL.startsWith('https:');
  }

  /** The token for forms on this page; sets the cookie when the browser has none yet. */
  token(req: FastifyRequest, reply: FastifyReply, binding = req.csrfBinding ?? ''): string {
    let secret = this.cookieOf(req);
    if (!secret) {
      secret = randomBytes(32).toString('base64url');
      void reply.setCookie(CSRF_COOKIE, secret, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.secureCookies,
      });
      // Same request, later render (e.g. an error page after a failed post): keep one secret.
      (req.cookies as Record<string, string>)[CSRF_COOKIE] = secret;
    }
    return this.sign(secret, binding);
  }

  /** True when the form's `_csrf` field matches this browser's cookie (and the session, when bound). */
  check(req: FastifyRequest, binding = req.csrfBinding ?? ''): boolean {
    return this.checkToken(req, (req.body as Record<string, unknown> | null | undefined)?.[CSRF_FIELD], binding);
  }

  /** `check` for a token read by the route itself (an upload streams its form: the token is its first field). */
  checkToken(req: FastifyRequest, given: unknown, binding = req.csrfBinding ?? ''): boolean {
    const secret = this.cookieOf(req);
    if (!secret || typeof given !== 'string' || given.length > 200) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.sign(secret, binding));
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Throws `csrf_failed` (403), rendered as a "form expired" page by `@WebPage()` controllers. */
  verify(req: FastifyRequest, binding?: string): void {
    if (!this.check(req, binding)) throw new ProblemError('csrf_failed', 'The form has expired; reload and try again.');
  }

  private cookieOf(req: FastifyRequest): string | null {
    const v = req.cookies?.[CSRF_COOKIE];
    return typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v) ? v : null;
  }

  private sign(secret: string, binding: string): string {
    return createHmac('sha256', this.key).update(`${secret}\n${binding}`).digest('base64url');
  }
}
