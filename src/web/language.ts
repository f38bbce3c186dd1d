import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageLang } from '../rendering';

export const LANG_COOKIE = 'zg_lang';
const YEAR_SECONDS = 365 * 24 * 3600;

const asLang = (v: unknown): PageLang | null => (v === 'pl' || v === 'en' ? v : null);

/** First of pl/en in the Accept-Language list by weight; anything else falls back to Polish. */
export function fromAcceptLanguage(header: string | undefined): PageLang | null {
  const ranked = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.split('-')[0], q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => (x.lang === 'pl' || x.lang === 'en') && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked[0]?.lang as PageLang | undefined) ?? null;
}

/** An explicit choice (`?lang=` or a form's `lang` field), else the cookie, else the browser's; default Polish. */
export function explicitLang(req: FastifyRequest): PageLang | null {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  const b = (req.body as Record<string, unknown> | undefined | null)?.lang;
  return asLang(q) ?? asLang(b);
}

export function resolveLang(req: FastifyRequest): PageLang {
  return (
    explicitLang(req) ??
    asLang(req.cookies?.[LANG_COOKIE]) ??
    fromAcceptLanguage(req.headers['accept-language']) ??
    'pl'
  );
}

/** Remembers an explicit choice so the next pages (and form posts) keep it. */
export function rememberLang(req: FastifyRequest, reply: FastifyReply, secure: boolean): void {
  const chosen = explicitLang(req);
  if (!chosen || req.cookies?.[LANG_COOKIE] === chosen) return;
  void reply.setCookie(LANG_COOKIE, chosen, {
    path: '/',
    maxAge: YEAR_SECONDS,
    sameSite: 'lax',
    httpOnly: true,
    secure,
  });
}
