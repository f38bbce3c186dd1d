import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProblemError } from '../common/problem/problem.error';
import { fromAcceptLanguage } from './language';
import { compileTemplate, PageLang } from '../rendering';

/**
 * The one-message pages behind links in e-mails (unsubscribe, double opt-in, request verification): a
 * sentence and at most one button, for mail clients and browsers alike, so no layout, no cookies, no CSRF
 * (the signed token is the authority).
 */
export interface MessagePage {
  title: string;
  message: string;
  /** `lang` is posted back where the receiving route takes it; null where it does not. */
  form: { action: string; token: string; button: string; lang: PageLang | null } | null;
  link: { href: string; text: string } | null;
}

// Compiled once in the one environment, strict, from beside this file (nest-cli copies **/*.hbs into the build).
const template = compileTemplate(readFileSync(join(__dirname, 'templates', 'message-page.hbs'), 'utf8'));

/** The language asked for (`?lang=`, a form field), else the browser's; Polish by default. */
export function pageLang(acceptLanguage: string | undefined, given?: string): PageLang {
  if (given === 'en' || given === 'pl') return given;
  return fromAcceptLanguage(acceptLanguage) ?? 'pl';
}

/**
 * Renders `build()`'s page; a broken or expired link (the only failures a person can cause here) becomes
 * the `invalid` page with the problem's status, never problem+json.
 */
export async function messagePage(
  reply: FastifyReply,
  context: { lang: PageLang; controllerName: string; invalid: { title: string; message: string } },
  build: () => Promise<MessagePage>,
): Promise<string> {
  void reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer');
  const { lang, controllerName } = context;
  try {
    return template({ lang, controllerName, ...(await build()) });
  } catch (e) {
    if (!(e instanceof ProblemError) || !['invalid_token', 'link_expired'].includes(e.code)) throw e;
    void reply.status(e.status);
    return template({ lang, controllerName, ...context.invalid, form: null, link: null });
  }
}
