import { applyDecorators, ArgumentsHost, Catch, ExceptionFilter, Injectable, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemOf } from '../common/problem/problem.filter';
import { WebErrorFilter } from '../web';

/** Where to go after signing in: a console path only, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console(\/[A-Za-z0-9/_-]*)?(\?[A-Za-z0-9=&_.%-]*)?$/.test(next)
    ? next
    : '/console';
}

/** Not signed in (or the session ended): to the login page; every other error is the shared error page. */
@Catch()
@Injectable()
export class ConsoleErrorFilter implements ExceptionFilter {
  constructor(private readonly web: WebErrorFilter) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (problemOf(error).code === 'unauthorized' && !reply.sent) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(safeNext(req.url))}` : '';
      void reply.status(303).header('location', `/console/login${next}`).send();
      return;
    }
    this.web.catch(error, host);
  }
}

export const ConsolePage = () => applyDecorators(UseFilters(ConsoleErrorFilter), ApiExcludeController());
