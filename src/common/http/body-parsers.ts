import type { FastifyInstance } from 'fastify';
import { registerFormParsers } from './form-body.parser';
import { captureRawBody } from './raw-body';

export interface BodyParsing {
  /** Routes whose exact bytes are kept as `req.rawBody` (signed bodies). */
  rawBodyRoutes: string[];
  /** Of those, the routes that answer malformed JSON in their own error shape (OpenGDPR). */
  lenientJsonRoutes: string[];
  /** BODY_LIMIT_BYTES: the same limit the server applies to every other body. */
  limit: number;
}

/**
 * Every content-type parser and body hook of the HTTP server, in one place. Call after Nest's init: Nest
 * registers its own JSON and urlencoded parsers there, and ours only fill the types it leaves.
 */
export function registerBodyParsers(fastify: FastifyInstance, opts: BodyParsing): void {
  registerFormParsers(fastify);
  captureRawBody(fastify, opts.rawBodyRoutes, opts.limit, { lenientJson: opts.lenientJsonRoutes });
}
