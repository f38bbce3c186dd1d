import { applyDecorators, ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_STATUS } from '../common/problem/error-codes';
import { problemOf } from '../common/problem/problem.filter';
import { resolveLang } from './language';
import { PageRenderer } from './page-renderer.service';

/** Which page a person sees for a problem code; anything unlisted is the generic one. */
const PAGES: Record<string, { title: string; message: string }> = {
  invalid_token: { title: 'web.error.invalidLinkTitle', message: 'web.error.invalidLink' },
  link_expired: { title: 'web.error.invalidLinkTitle', message: 'web.error.invalidLink' },
  csrf_failed: { title: 'web.error.csrfTitle', message: 'web.error.csrf' },
  forbidden: { title: 'web.error.forbiddenTitle', message: 'web.error.forbidden' },
  rate_limited: { title: 'web.error.rateLimitedTitle', message: 'web.error.rateLimited' },
  not_found: { title: 'web.error.notFoundTitle', message: 'web.error.notFound' },
  unknown_request: { title: 'web.error.notFoundTitle', message: 'web.error.notFound' },
  result_not_available: { title: 'web.error.notFoundTitle', message: 'web.error.notFound' },
  validation_failed: { title: 'web.error.badRequestTitle', message: 'web.error.badRequest' },
  bad_request: { title: 'web.error.badRequestTitle', message: 'web.error.badRequest' },
};

/**
 * People get a page in their language, not problem+json: same status codes, no detail that could carry
 * personal data. Server errors are logged like the API's (kind and stack shape only).
 */
@Catch()
@Injectable()
export class WebErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebErrors');

  constructor(private readonly pages: PageRenderer) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { code } = problemOf(error);
    const status = ERROR_STATUS[code];
    if (status >= 500) {
      const e = error as { name?: string; code?: string; stack?: string };
      this.logger.error(
        { err: { name: e?.name, code: e?.code, stack: e?.stack?.split('\n').slice(0, 6).join('\n') } },
        'unhandled error on a page',
      );
    }
    if (reply.sent) return;
    const lang = resolveLang(req);
    const keys = PAGES[code] ?? { title: 'web.error.title', message: 'web.error.generic' };
    const title = this.pages.text(lang, keys.title);
    const html = this.pages.render(
      reply,
      'web/error',
      {
        heading: title,
        message: this.pages.text(lang, keys.message),
        homeHref: req.url.startsWith('/console') ? '/console' : '/portal',
      },
      { lang, title, status },
    );
    if (code === 'rate_limited') void reply.header('retry-after', '60');
    void reply.send(html);
  }
}

/** On every HTML controller: errors become pages, and the routes stay out of the OpenAPI document. */
export const WebPage = () => applyDecorators(UseFilters(WebErrorFilter), ApiExcludeController());
