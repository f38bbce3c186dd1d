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
    // No parseAs: the payload stream is handed over as it is to an upload route, which reads the file as it
    // arrives (gigabytes never sit in memory); every other form is read here, up to MAX_FORM_BYTES.
    fastify.addContentTypeParser('multipart/form-data', (req, payload, done) => {
      if (STREAMED_UPLOADS.test(req.url)) return done(null, payload);
      readLimited(payload, MAX_FORM_BYTES).then(
        (body) => done(null, parseMultipartFields(body)),
        (e: Error) => done(e, undefined),
      );
    });
  }
}

/** Routes that take a file as a multipart form and read the stream themselves (the console's import upload). */
export const STREAMED_UPLOADS = /^\/console\/imports\/[0-9a-f-]{36}\/file(\?|$)/;

function readLimited(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeAllListeners('data');
        stream.resume();
        reject(
          Object.assign(new Error('The form is too large.'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
        );
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
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
