import type { FastifyReply, FastifyRequest } from 'fastify';

/** 303 See Other (post/redirect/get); return its result from a `passthrough` handler. */
export function seeOther(reply: FastifyReply, location: string): string {
  void reply.status(303).header('location', location).header('cache-control', 'no-store');
  return '';
}

/** A person's browser (it asks for HTML), not an API client or a test's fetch (`*\/*`). */
export function wantsHtml(req: FastifyRequest): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}
