import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { ConsolePage } from './console-error.filter';
import { ConsoleView, redirect } from './console-view';

/**
 * The staff console (PRODUCT.md 10), one controller per topic. Each route declares the scope its page
 * needs, so a role without it gets the 403 page from the global guard; sections a role may not see are
 * left out of a page. `/console` itself sends a role to the first page it may open.
 */
@ConsolePage()
@Controller('console')
export class ConsoleController {
  constructor(private readonly view: ConsoleView) {}

  @Get()
  @Public()
  home(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!req.staffSession) throw new ProblemError('unauthorized');
    redirect(reply, req.staffSession.session.passwordExpired ? '/console/account' : this.view.home(req));
  }
}
