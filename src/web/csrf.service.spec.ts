import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Env } from '../config/env';
import { CSRF_COOKIE, CsrfService } from './csrf.service';

const env = { ENCRYPTION_KEY: randomBytes(32).toString('base64'), PUBLIC_BASE_URL: 'https://zgoda.example.com' } as Env;

function browser() {
  const cookies: Record<string, string> = {};
  const set: { name: string; opts: Record<string, unknown> }[] = [];
  const reply = {
    setCookie: (name: string, value: string, opts: Record<string, unknown>) => {
      cookies[name] = value;
      set.push({ name, opts });
      return reply;
    },
  } as unknown as FastifyReply;
  const req = (body?: Record<string, unknown>) => ({ cookies, body }) as unknown as FastifyRequest;
  return { cookies, set, reply, req };
}

describe('CsrfService (signed double-submit cookie)', () => {
  const csrf = new CsrfService(env);

  it('sets one httpOnly, SameSite=Lax, Secure cookie and accepts its own token', () => {
    const b = browser();
    const token = csrf.token(b.req(), b.reply);
    expect(b.set).toEqual([
      { name: CSRF_COOKIE, opts: expect.objectContaining({ httpOnly: true, sameSite: 'lax', secure: true }) },
    ]);
    expect(csrf.token(b.req(), b.reply)).toBe(token);
    expect(b.set).toHaveLength(1);
    expect(csrf.check(b.req({ _csrf: token }))).toBe(true);
  });

  it('refuses a missing, foreign or session-unbound token', () => {
    const a = browser();
    const other = browser();
    const token = csrf.token(a.req(), a.reply);
    csrf.token(other.req(), other.reply);
    expect(csrf.check(a.req({}))).toBe(false);
    expect(csrf.check(other.req({ _csrf: token }))).toBe(false);
    expect(csrf.check(browser().req({ _csrf: token }))).toBe(false);
    const bound = csrf.token(a.req(), a.reply, 'session-1');
    expect(csrf.check(a.req({ _csrf: bound }), 'session-1')).toBe(true);
    expect(csrf.check(a.req({ _csrf: bound }), 'session-2')).toBe(false);
    expect(csrf.check(a.req({ _csrf: bound }))).toBe(false);
    expect(() => csrf.verify(a.req({ _csrf: 'x' }))).toThrow(expect.objectContaining({ code: 'csrf_failed' }));
  });
});
