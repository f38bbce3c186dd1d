import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';

/** When an operation was deprecated, when it may go, and what replaces it. */
export interface DeprecationNotice {
  /** YYYY-MM-DD: the day it was deprecated. */
  since: string;
  /** YYYY-MM-DD: the day after which it may be removed, at least six months after `since` (README, "/v1"). */
  sunset: string;
  /** The operation to use instead, e.g. `GET /v1/things/{id}`, or an absolute URL. */
  successor?: string;
}

export const DEPRECATION_KEY = 'zgoda:deprecation';
/** Read by completeContract: `deprecated: true`, the dates in the description, the headers on each answer. */
export const DEPRECATION_EXTENSION = 'x-zgoda-deprecation';

const epochSeconds = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000);

/** The response headers a deprecated operation sends: RFC 9745 `Deprecation`, RFC 8594 `Sunset`, and `Link`. */
export function deprecationHeaders(d: DeprecationNotice): Record<string, string> {
  const headers: Record<string, string> = {
    deprecation: `@${epochSeconds(d.since)}`,
    sunset: new Date(`${d.sunset}T00:00:00Z`).toUTCString(),
  };
  if (d.successor?.startsWith('http')) headers.link = `<${d.successor}>; rel="successor-version"`;
  return headers;
}

@Injectable()
export class DeprecationHeaders implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const notice = Reflect.getMetadata(DEPRECATION_KEY, context.getHandler()) as DeprecationNotice | undefined;
    // Set before the handler runs, so an error answer carries them too: a client learns of it whatever it gets.
    if (notice) void context.switchToHttp().getResponse<FastifyReply>().headers(deprecationHeaders(notice));
    return next.handle();
  }
}

/**
 * Marks an operation deprecated (issue 24 item 6): the document says `deprecated: true` with the dates and the
 * successor, and every answer carries `Deprecation` and `Sunset` headers. An operation is never removed before.
 */
export function Deprecated(notice: DeprecationNotice): MethodDecorator {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(notice.since) || !/^\d{4}-\d{2}-\d{2}$/.test(notice.sunset)) {
    throw new Error('Deprecated: since and sunset are YYYY-MM-DD');
  }
  return applyDecorators(
    SetMetadata(DEPRECATION_KEY, notice),
    ApiExtension(DEPRECATION_EXTENSION, notice),
    UseInterceptors(DeprecationHeaders),
  );
}
