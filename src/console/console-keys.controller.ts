import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { CsrfProtected } from '../web';
import { ConsoleApi } from './console-api.service';
import { ConsolePage } from './console-error.filter';
import { act, Form, Id } from './console-pages';
import { ConsoleView, redirect } from './console-view';

/** The console's API key page: list, create (the key shown once), revoke. */
@ConsolePage()
@Controller('console')
export class ConsoleKeysController {
  constructor(
    private readonly view: ConsoleView,
    private readonly api: ConsoleApi,
  ) {}

  @Get('keys')
  @RequireScopes('keys:manage')
  async keys(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.keysPage(req, reply, null));
  }

  @Post('keys')
  @RequireScopes('keys:manage')
  @CsrfProtected()
  async createKey(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    const scopes = String(b.scopes ?? '')
      .split(/[\s,]+/)
      .filter(Boolean);
    try {
      const created = await this.api.call<{ key: string }>(req, 'POST', '/v1/api-keys', { name: b.name ?? '', scopes });
      // Shown once on this response, never in a URL (Post/Redirect/Get would need to carry it).
      void reply.send(await this.keysPage(req, reply, created.key));
    } catch (e) {
      if (!(e instanceof ProblemError) || e.status >= 500) throw e;
      redirect(reply, `/console/keys?problem=${e.code}`);
    }
  }

  @Post('keys/:id/revoke')
  @RequireScopes('keys:manage')
  @CsrfProtected()
  async revokeKey(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, '/console/keys', 'revoked', () => this.api.call(req, 'DELETE', `/v1/api-keys/${id}`));
  }

  private async keysPage(req: FastifyRequest, reply: FastifyReply, createdKey: string | null) {
    const lang = this.view.lang(req, reply);
    const keys = await this.api.get<{ items: Record<string, any>[] }>(req, '/v1/api-keys?limit=200');
    const title = this.view.t(lang, 'keys.title');
    return this.view.render(
      req,
      reply,
      'keys',
      {
        title,
        createdKey,
        keys: keys.items.map((k) => ({
          id: k.id,
          name: k.name,
          prefix: k.prefix,
          scopes: k.scopes.join(', '),
          revoked: !!k.revokedAt,
        })),
      },
      { lang, title },
    );
  }
}
