import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { PurposesService } from '../consent';
import { CsrfProtected } from '../web';
import { ConsolePage } from './console-error.filter';
import { ConsoleConsentProof } from './console-consent-proof';
import { ConsoleFinder } from './console-finder';
import { ConsoleSubjectPage } from './console-subject-page';
import { Form, Id } from './console-pages';
import { ConsoleView, may, redirect } from './console-view';

const PURPOSES_SHOWN = 200;

/** The console's consent and subject pages: a subject's identity, consents and requests (its actions: console-subject-actions). */
@ConsolePage()
@Controller('console')
export class ConsoleSubjectsController {
  constructor(
    private readonly view: ConsoleView,
    private readonly purposes: PurposesService,
    private readonly finder: ConsoleFinder,
    private readonly page: ConsoleSubjectPage,
    private readonly proof: ConsoleConsentProof,
  ) {}

  /**
   * The search box: posted, not a GET, so an e-mail or phone number never lands in a URL, a log line or the
   * browser's history; the answer is a redirect to the page found (ids only) or back with why not.
   */
  @Post('find')
  @RequireScopes('subjects:read')
  @CsrfProtected()
  async find(@Res() reply: FastifyReply, @Body() b: Form) {
    const found = typeof b.q === 'string' && b.q.trim() ? await this.finder.find(b.q) : null;
    if (found && 'page' in found) return redirect(reply, found.page);
    redirect(reply, `/console/consents?problem=${found?.problem ?? 'person_not_found'}`);
  }

  @Get('consents')
  @RequireScopes('consent:read')
  async consents(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Form) {
    if (q.subjectId && /^[0-9a-f-]{36}$/i.test(q.subjectId.trim()))
      return redirect(reply, `/console/subjects/${q.subjectId.trim().toLowerCase()}`);
    const lang = this.view.lang(req, reply);
    const purposes = await this.purposes.list(undefined, PURPOSES_SHOWN);
    const title = this.view.t(lang, 'consents.title');
    const html = this.view.render(
      req,
      reply,
      'consents',
      {
        title,
        canFind: may(req, 'subjects:read'),
        purposes: purposes.map((p) => ({ key: p.key, name: p.name, currentVersion: p.currentVersion ?? null })),
      },
      { lang, title },
    );
    void reply.send(html);
  }

  /** One decision's proof, readable: the exact text shown, how it was given, the hashes, receipt and audit. */
  @Get('subjects/:id/consents/:consentId')
  @RequireScopes('consent:read')
  async consentProof(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Param('consentId', new ParseUUIDPipe()) consentId: string,
  ) {
    void reply.send(await this.proof.render(req, reply, id, consentId));
  }

  @Get('subjects/:id')
  @RequireScopes('consent:read', 'subjects:read')
  async subject(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    void reply.send(await this.page.render(req, reply, id, null));
  }
}
