import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes received, for routes that verify a signature over them. */
    rawBody?: string;
  }
}

/**
 * Keeps the raw body of the named routes: a signature covers the bytes sent, and JSON re-serialised
 * after parsing would not match them. Other routes are untouched.
 */
export function captureRawBody(
  fastify: FastifyInstance,
  routes: string[],
  limit: number,
  opts: { lenientJson?: string[] } = {},
): void {
  fastify.addHook('preParsing', async (req, _reply, payload) => {
    const route = req.routeOptions.url ?? '';
    if (!routes.includes(route)) return payload;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      size += (chunk as Buffer).length;
      if (size > limit) throw Object.assign(new Error('Request body is too large'), { statusCode: 413 });
      chunks.push(chunk as Buffer);
    }
    let raw = Buffer.concat(chunks);
    req.rawBody = raw.toString('utf8');
    // Routes that answer bad JSON in their own error shape (OpenGDPR) parse rawBody themselves; the
    // framework's parser gets an empty object so its generic error does not answer first.
    if (opts.lenientJson?.includes(route) && !isJson(req.rawBody)) {
      raw = Buffer.from('{}');
      delete req.headers['content-length'];
    }
    const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
    replay.receivedEncodedLength = raw.length;
    return replay;
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
