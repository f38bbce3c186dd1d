import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { APP_CSS, APP_CSS_VERSION } from './app-css';

@ApiExcludeController()
@Controller('web/static')
export class WebAssetsController {
  /** The URL carries the content hash: cached for a year, a new build gets a new URL. */
  @Get(':file')
  @Public()
  css(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    if (file !== `app.${APP_CSS_VERSION}.css` && file !== 'app.css')
      throw new ProblemError('not_found', 'No such file.');
    void reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', file === 'app.css' ? 'public, max-age=300' : 'public, max-age=31536000, immutable');
    return APP_CSS;
  }
}
