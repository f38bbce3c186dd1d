import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeysService } from '../auth';
import { RequireScopes, Scope, SCOPES } from '../common/auth/scopes';
import { CsrfProtected } from '../web';
import { ConsolePage } from './console-error.filter';
import { FieldErrors, fieldErrors, invalidField, noErrors } from './console-forms';
import { act, Form, Id } from './console-pages';
import { ConsoleView } from './console-view';

const FIELDS = ['name', 'scopes'] as const;
// One checkbox per scope, each under its own name: the form parser keeps one value per name.
const scopeField = (s: Scope) => `scope-${s}`;

/** The console's API key page: list, create with the scopes ticked (the key shown once), revoke. */
@ConsolePage()
@Controller('console')
export class ConsoleKeysController {
  constructor(
    private readonly view: ConsoleView,
    private readonly keys: ApiKeysService,
  ) {}

  @Get('keys')
  @RequireScopes('keys:manage')
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.keysPage(req, reply, { created: null, values: {}, errors: noErrors(FIELDS) }));
  }

  @Post('keys')
  @RequireScopes('keys:manage')
  @CsrfProtected()
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    const name = String(b.name ?? '').trim();
    const scopes = SCOPES.filter((s) => b[scopeField(s)] === 'yes');
    try {
      if (!name || name.length > 100) throw invalidField('name');
      if (!scopes.length) throw invalidField('scopes');
      const created = await this.keys.create(name, scopes, b.recordDecisions === 'yes');
      // Shown once on this response, never in a URL (Post/Redirect/Get would need to carry it).
      void reply.send(await this.keysPage(req, reply, { created: created.key, values: {}, errors: noErrors(FIELDS) }));
    } catch (e) {
      const errors = fieldErrors(this.view, this.view.lang(req, reply), FIELDS, e);
      if (!errors) throw e;
      const values = { name, ...Object.fromEntries(scopes.map((s) => [scopeField(s), 'yes'])) };
      void reply.send(await this.keysPage(req, reply, { created: null, values, errors }, 422));
    }
  }

  @Post('keys/:id/revoke')
  @RequireScopes('keys:manage')
  @CsrfProtected()
  async revoke(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, '/console/keys', 'revoked', () => this.keys.revoke(id));
  }

  private async keysPage(
    req: FastifyRequest,
    reply: FastifyReply,
    form: { created: string | null; values: Form; errors: FieldErrors },
    status = 200,
  ) {
    const lang = this.view.lang(req, reply);
    const keys = await this.keys.list(undefined, 500);
    const title = this.view.t(lang, 'keys.title');
    const scopeLabel = (s: string) => ((SCOPES as readonly string[]).includes(s) ? this.view.t(lang, `scope.${s}`) : s);
    return this.view.render(
      req,
      reply,
      'keys',
      {
        title,
        createdKey: form.created,
        keys: keys.map((k) => ({
          id: k.id,
          name: k.name,
          prefix: k.prefix,
          scopes: k.scopes.map(scopeLabel).join('; '),
          createdAt: k.createdAt.toISOString(),
          lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
          revoked: !!k.revokedAt,
        })),
        scopeOptions: SCOPES.map((s) => ({
          field: scopeField(s),
          code: s,
          label: scopeLabel(s),
          checked: form.values[scopeField(s)] === 'yes',
        })),
        values: { name: form.values.name ?? '' },
        errors: form.errors,
      },
      { lang, title, status },
    );
  }
}
