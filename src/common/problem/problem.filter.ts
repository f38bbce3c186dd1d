import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { ERROR_STATUS, ERROR_TITLE, ErrorCode } from './error-codes';
import { FieldError, ProblemError } from './problem.error';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ErrorCode;
  errors?: FieldError[];
  correlationId: string;
  [extra: string]: unknown;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  503: 'service_unavailable',
};

export function problemOf(error: unknown): { code: ErrorCode; detail?: string; extras: Record<string, unknown> } {
  if (error instanceof ProblemError) return { code: error.code, detail: error.detail, extras: error.extras };
  // Nest wraps Fastify's own errors (body parsing) in an HttpException with the original as `cause`.
  const fastifyCode = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    const code = FASTIFY_CODES[fastifyCode];
    return { code, detail: code === 'malformed_json' ? 'The request body is not valid JSON.' : undefined, extras: {} };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
    const detail = status === 404 ? 'No such route.' : undefined;
    // A failed readiness check (terminus) says which dependency is down; probes and operators need that part.
    const body = error.getResponse() as { info?: unknown; error?: unknown; details?: unknown };
    if (status === 503 && typeof body === 'object' && body?.details) {
      return { code, detail: 'A dependency is not available.', extras: { info: body.info, error: body.error } };
    }
    return { code, detail, extras: {} };
  }
  if (databaseUnreachable(error)) {
    // The work's transaction died with its connection and nothing of it committed: retrying is safe (issue 25).
    return {
      code: 'service_unavailable',
      detail: 'The database connection was lost; nothing was changed. Retry.',
      extras: { retryAfterSeconds: 1 },
    };
  }
  if (error instanceof QueryFailedError) {
    const pg = (error as unknown as { driverError?: { code?: string } }).driverError?.code;
    if (pg === '23505') return { code: 'conflict', detail: 'The resource already exists.', extras: {} };
    // The input guard refuses NUL before any handler; this is the net for values built inside a route.
    if (pg === '22021') return { code: 'invalid_characters', detail: 'A value contains a NUL character.', extras: {} };
    if (pg === '22P02' || pg === '22007' || pg === '22008')
      return { code: 'bad_request', detail: 'A value has the wrong format.', extras: {} };
  }
  const status = (error as { statusCode?: number })?.statusCode;
  // Body parsing failures surface as SyntaxError or a 400 whose message names JSON, depending on the parser.
  if (error instanceof SyntaxError || (status === 400 && /JSON/i.test((error as Error)?.message ?? ''))) {
    return { code: 'malformed_json', detail: 'The request body is not valid JSON.', extras: {} };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { code: STATUS_CODES[status] ?? 'bad_request', extras: {} };
  }
  return { code: 'internal_error', detail: 'An unexpected error occurred.', extras: {} };
}

/**
 * A connection to PostgreSQL that was terminated (pg_terminate_backend, a failover, a restart: SQLSTATE class 57P and
 * 08) or could not be made or was cut (the driver's own errors carry no SQLSTATE).
 */
function databaseUnreachable(error: unknown): boolean {
  const cause = (error instanceof QueryFailedError ? (error as { driverError?: unknown }).driverError : error) as
    { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  if (/^(57P0[123]|08\w{3})$/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code)) return true;
  const message = typeof cause?.message === 'string' ? cause.message : '';
  return /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/.test(
    message,
  );
}

export function problemBody(error: unknown, correlationId: string): ProblemBody {
  const { code, detail, extras } = problemOf(error);
  return {
    type: `urn:zgoda:problem:${code}`,
    title: ERROR_TITLE(code),
    status: ERROR_STATUS[code],
    ...(detail ? { detail } : {}),
    code,
    ...extras,
    correlationId,
  };
}

const errorLog = new Logger('Errors');

/**
 * Answers `error` as problem+json: what ProblemFilter does for Nest's routes, and what a route served outside
 * Nest's pipeline (the consent check's common case) calls itself, so both answer a failure alike.
 */
export function replyWithProblem(req: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const body = problemBody(error, String(req.id));
  if (body.status >= 500) {
    // The error object may hold SQL parameters (personal data): log its kind and message shape only.
    const e = error as { name?: string; code?: string; stack?: string };
    errorLog.error(
      { err: { name: e?.name, code: e?.code, stack: e?.stack?.split('\n').slice(0, 6).join('\n') } },
      'unhandled error',
    );
  }
  if (reply.sent) return;
  if (typeof body.retryAfterSeconds === 'number') void reply.header('retry-after', String(body.retryAfterSeconds));
  void reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
}

/** One error shape for the whole API (RFC 9457). Stack traces, SQL and personal data never leave. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    replyWithProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), error);
  }
}
