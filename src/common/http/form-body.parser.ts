import type { FastifyInstance } from 'fastify';

const MAX_FORM_BYTES = 16 * 1024;

/**
 * The one-click unsubscribe and confirmation pages post HTML forms, and RFC 8058 mail clients post
 * `List-Unsubscribe=One-Click` as application/x-www-form-urlencoded or multipart/form-data. Each only
 * where Nest has not registered one: it does the urlencoded parser itself, so that branch is the fallback.
 */
export function registerFormParsers(fastify: FastifyInstance): void {
  if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) {
    fastify.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
  }
  if (!fastify.hasContentTypeParser('multipart/form-data')) {
    fastify.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
      (_req, body, done) => done(null, parseMultipartFields(body as string)),
    );
  }
}

/** Plain text fields only; anything with a filename is ignored (nothing here accepts uploads). */
export function parseMultipartFields(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re =
    /content-disposition:\s*form-data;\s*name="([^"]{1,100})"(;[^\r\n]*)?\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/gi;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m[2] && /filename=/i.test(m[2])) continue;
    out[m[1]] = m[3];
  }
  return out;
}
