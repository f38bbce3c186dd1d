import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { CsrfProtected } from '../web';
import { ConsoleApi } from './console-api.service';
import { ConsolePage } from './console-error.filter';
import { ConsoleFinder } from './console-finder';
import { ConsoleSubjectPage } from './console-subject-page';
import { act, Form, Id, PurposeRow } from './console-pages';
import { ConsoleView, may, redirect } from './console-view';

/** The console's consent and subject pages: a subject's identity, consents and requests; consent recorded in a store. */
@ConsolePage()
@Controller('console')
export class ConsoleSubjectsController {
  constructor(
    private readonly view: ConsoleView,
    private readonly api: ConsoleApi,
    private readonly env: Env,
    private readonly finder: ConsoleFinder,
    private readonly page: ConsoleSubjectPage,
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
    const purposes = await this.api.get<{ items: PurposeRow[] }>(req, '/v1/purposes?limit=200');
    const title = this.view.t(lang, 'consents.title');
    const html = this.view.render(
      req,
      reply,
      'consents',
      {
        title,
        canFind: may(req, 'subjects:read'),
        purposes: purposes.items.map((p) => ({ key: p.key, name: p.name, currentVersion: p.currentVersion ?? null })),
      },
      { lang, title },
    );
    void reply.send(html);
  }

  @Get('subjects/:id')
  @RequireScopes('consent:read', 'subjects:read')
  async subject(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    void reply.send(await this.page.render(req, reply, id, null));
  }

  @Post('subjects/:id/consents')
  @RequireScopes('consent:write')
  @CsrfProtected()
  async recordConsent(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Body() b: Form,
  ) {
    await act(reply, `/console/subjects/${id}`, 'recorded', async () => {
      const purpose = await this.api.get<PurposeRow>(
        req,
        `/v1/purposes/${encodeURIComponent(String(b.purpose ?? ''))}`,
      );
      if (!purpose.currentVersion) throw new ProblemError('unpublished_version');
      return this.api.call(req, 'POST', `/v1/subjects/${id}/consents`, {
        purpose: purpose.key,
        channel: b.channel,
        version: purpose.currentVersion,
        // Issue 13 item 14: nothing is pre-selected; what staff chose goes to the API as chosen, and a missing
        // or unknown value is the API's 422, shown on the form.
        locale: b.locale,
        decision: b.decision,
        expressedBy: b.expressedBy,
        ...(b.expressedBy === 'guardian'
          ? { guardian: { name: b.guardianName, ...(b.guardianRelation ? { relation: b.guardianRelation } : {}) } }
          : {}),
        // The staff member's id, not their name: the proof says who recorded it without personal data.
        source: { method: b.method, staffId: req.principal!.id, ...(b.location ? { location: b.location } : {}) },
      });
    });
  }
}
