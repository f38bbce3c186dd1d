import type { FastifyInstance } from 'fastify';
import { registerFormParsers } from './form-body.parser';
import { captureRawBody } from './raw-body';

/** Content types whose body a route reads as a stream (`req.body` is the request's Readable). */
export const STREAMED_TYPES = ['application/x-ndjson', 'text/csv'];

/** The routes that take such a body. */
export const STREAMED_ROUTES = ['/v1/imports/:id/file'];

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
  // Uploads (an import's file, up to gigabytes) reach their route as the request stream itself: the route
  // stores it piece by piece and enforces its own limit, nothing holds it whole in memory.
  // Only there: any other route would hand the stream to validation, which walks and copies it like a plain
  // object (it crashed the process, TCPWrap construction); elsewhere these types are simply not accepted.
  fastify.addContentTypeParser(STREAMED_TYPES, { bodyLimit: Number.MAX_SAFE_INTEGER }, (req, payload, done) => {
    if (STREAMED_ROUTES.includes(req.routeOptions.url ?? '')) return done(null, payload);
    payload.resume();
    done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }), undefined);
  });
  captureRawBody(fastify, opts.rawBodyRoutes, opts.limit, { lenientJson: opts.lenientJsonRoutes });
}
