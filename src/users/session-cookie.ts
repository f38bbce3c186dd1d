import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { requestContext } from '../common/context/request-context';
import { ProblemError } from '../common/problem/problem.error';
import { problemBody } from '../common/problem/problem.filter';
import type { Principal } from '../common/auth/principal';
import type { LoginOutcome } from './login.service';
import { scopesOf } from './roles';
import { StaffSession, StaffSessions } from './staff-sessions.service';
import type { UsersService } from './users.service';
import type { LoginResponse } from './users.responses';

export const SESSION_COOKIE = 'zg_session';
export const MFA_COOKIE = 'zg_mfa';
/** JSON API calls authenticated by the session cookie send the session's CSRF token in this header. */
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    staffSession?: { hash: string; session: StaffSession };
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function cookieOptions(secure: boolean, maxAgeSeconds?: number) {
  // Lax, not Strict: a link to a request page in the DPO's digest e-mail must open signed in. State
  // changes never ride on a GET, and each carries a CSRF token.
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
  };
}

function readCookie(req: FastifyRequest, name: string): string | undefined {
  const parsed = req.cookies?.[name];
  if (typeof parsed === 'string') return parsed;
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export const staffPrincipal = (s: StaffSession): Principal => ({
  kind: 'staff',
  id: s.userId,
  // A password past the optional maximum age opens nothing but the change-password route.
  scopes: s.passwordExpired ? [] : scopesOf(s.role),
});

/**
 * The PrincipalResolver for staff: a Fastify preHandler (after cookies and bodies are parsed, before the
 * global guard) that turns a valid session cookie into `req.principal`, so `@RequireScopes` treats a
 * staff member like an API key with their role's scopes. A bearer key, when sent, wins.
 */
export function sessionHook(sessions: StaffSessions) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (req.headers.authorization) return;
    const id = readCookie(req, SESSION_COOKIE);
    if (!id) return;
    const found = await sessions.resolve(id).catch((e: unknown) => {
      // Safe to read as "no session" (fail closed: the route answers as to a stranger, 401 where a key is needed):
      // the session store (Redis) is down, the outage is logged once by its watch, and a login says 503 meanwhile.
      // Answering 503 here would also refuse the public routes a browser with an old cookie reaches.
      if (e instanceof ProblemError && e.code === 'service_unavailable') return null;
      throw e;
    });
    if (!found) return;
    req.staffSession = found;
    // The web CSRF tokens of console forms are bound to the session, not only to the browser.
    req.csrfBinding = found.hash;
    const url = req.url;
    if (!SAFE.has(req.method) && url.startsWith('/v1/') && !url.startsWith('/v1/auth/login')) {
      // A cookie rides along on cross-site requests; a custom header cannot be added without CORS.
      const given = req.headers[CSRF_HEADER];
      const ok =
        typeof given === 'string' &&
        given.length === found.session.csrf.length &&
        timingSafeEqual(Buffer.from(given), Buffer.from(found.session.csrf));
      if (!ok) {
        const body = problemBody(
          new ProblemError('forbidden', `A session-authenticated change needs the ${CSRF_HEADER} header.`),
          String(req.id),
        );
        await reply.status(403).header('content-type', 'application/problem+json; charset=utf-8').send(body);
        return reply;
      }
    }
    const principal = staffPrincipal(found.session);
    req.principal = principal;
    requestContext.setPrincipal(principal);
  };
}

/** Sets the cookies for a login step's outcome (the JSON API and the console's form share it). */
export function answerLogin(
  outcome: LoginOutcome,
  reply: FastifyReply,
  secure: boolean,
  users: UsersService,
): LoginResponse {
  if (outcome.kind === 'totp') {
    void reply.setCookie(MFA_COOKIE, outcome.mfaToken, cookieOptions(secure, 300));
    return { totpRequired: true as const };
  }
  void reply.clearCookie(MFA_COOKIE, { path: '/' });
  void reply.setCookie(SESSION_COOKIE, outcome.sessionId, cookieOptions(secure));
  return {
    totpRequired: false as const,
    user: users.view(outcome.user),
    csrfToken: outcome.session.csrf,
    passwordExpired: outcome.session.passwordExpired,
  };
}
