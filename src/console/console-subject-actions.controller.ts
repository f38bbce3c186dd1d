import { Body, Controller, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { ConsentsService, GrantConsentDto, PurposesService } from '../consent';
import { CreateRequestDto, RequestIntake } from '../requests';
import { AddHoldDto, LiftRestrictionDto, RestrictSubjectDto, SubjectRightsService } from '../subjects';
import { CsrfProtected } from '../web';
import { ConsolePage } from './console-error.filter';
import { asDto, formInstant, formText, invalidField, submitForm } from './console-forms';
import { act, Form, Id } from './console-pages';
import {
  ConsoleSubjectPage,
  HOLD_FIELDS,
  LIFT_FIELDS,
  RECORD_FIELDS,
  REQUEST_FIELDS,
  RESTRICT_FIELDS,
  SubjectForm,
} from './console-subject-page';
import { ConsoleView } from './console-view';

const text = formText;
const instant = formInstant;
// A refusal about one field that carries its own code.
const CODE_FIELDS = {
  restriction_notice_required: 'toldBy',
  purpose_not_found: 'purpose',
  unpublished_version: 'purpose',
  channel_not_offered: 'channel',
  locale_not_available: 'locale',
};
// The consent DTO's nested paths, as the form names them.
const FROM_DTO = {
  'source.method': 'method',
  'source.location': 'location',
  guardian: 'guardianName',
  'guardian.name': 'guardianName',
  'guardian.relation': 'guardianRelation',
};

/**
 * What staff do for a person from the person's page: hold erasure (Art. 17(3)), restrict processing and lift it
 * after telling the person (Art. 18), file a request on their behalf. Forms are the API's DTOs, run through the
 * same validation pipe; the services do the change, its audit entry and its outbox row in one transaction.
 */
@ConsolePage()
@Controller('console/subjects/:id')
export class ConsoleSubjectActionsController {
  constructor(
    private readonly view: ConsoleView,
    private readonly page: ConsoleSubjectPage,
    private readonly rights: SubjectRightsService,
    private readonly intake: RequestIntake,
    private readonly purposes: PurposesService,
    private readonly consents: ConsentsService,
  ) {}

  /**
   * A decision given in the store, by phone or by e-mail, recorded by staff. Issue 13 item 14: nothing is
   * pre-selected, so a decision, method, who expressed it or language not chosen is refused under its field.
   */
  @Post('consents')
  @RequireScopes('consent:write')
  @CsrfProtected()
  async recordConsent(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Body() b: Form,
  ) {
    await this.formAction(req, reply, id, 'record', b, RECORD_FIELDS, 'recorded', async () => {
      const purpose = await this.purposes.get(text(b.purpose));
      if (!purpose.currentVersion) throw new ProblemError('unpublished_version');
      const dto = await asDto(GrantConsentDto, {
        purpose: purpose.key,
        channel: text(b.channel),
        version: purpose.currentVersion,
        locale: text(b.locale),
        decision: text(b.decision),
        expressedBy: text(b.expressedBy),
        ...(b.expressedBy === 'guardian'
          ? {
              guardian: {
                name: text(b.guardianName),
                ...(text(b.guardianRelation) ? { relation: text(b.guardianRelation) } : {}),
              },
            }
          : {}),
        // The staff member's id, not their name: the proof says who recorded it without personal data.
        source: {
          method: text(b.method),
          staffId: req.principal!.id,
          ...(text(b.location) ? { location: text(b.location) } : {}),
        },
      });
      // No Global Privacy Control here: the browser is the staff member's, not the person's.
      await this.consents.recordForSubject(id, dto, false);
    });
  }

  @Post('holds')
  @RequireScopes('subjects:write')
  @CsrfProtected()
  async hold(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await this.formAction(req, reply, id, 'hold', b, HOLD_FIELDS, 'held', async () => {
      const categories = text(b.categories)
        .split(/[\s,;]+/)
        .filter(Boolean);
      const until = instant(b.until);
      const dto = await asDto(AddHoldDto, {
        reason: text(b.reason),
        legalBasis: text(b.legalBasis),
        categories,
        ...(until ? { until } : {}),
      });
      if (dto.until && Date.parse(dto.until) <= Date.now()) throw invalidField('until');
      await this.rights.addHold(id, {
        reason: dto.reason,
        legalBasis: dto.legalBasis,
        categories: dto.categories ?? [],
        endsAt: dto.until ? new Date(dto.until) : null,
      });
    });
  }

  @Post('holds/:holdId/release')
  @RequireScopes('subjects:write')
  @CsrfProtected()
  async release(
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Param('holdId', new ParseUUIDPipe()) holdId: string,
  ) {
    await act(reply, `/console/subjects/${id}`, 'released', () => this.rights.releaseHold(id, holdId));
  }

  @Post('restriction')
  @RequireScopes('subjects:write')
  @CsrfProtected()
  async restrict(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Body() b: Form,
  ) {
    await this.formAction(req, reply, id, 'restrict', b, RESTRICT_FIELDS, 'restricted', async () => {
      const dto = await asDto(RestrictSubjectDto, { reason: text(b.reason) });
      await this.rights.restrict(id, dto.reason);
    });
  }

  /** Art. 18(3): with an e-mail address the notice goes first and the restriction ends when it is sent. */
  @Post('restriction/lift')
  @RequireScopes('subjects:write')
  @CsrfProtected()
  async lift(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    let notice = 'lifted';
    await this.formAction(
      req,
      reply,
      id,
      'lift',
      b,
      LIFT_FIELDS,
      () => notice,
      async () => {
        const told =
          text(b.toldBy) || text(b.toldAt) ? { toldBy: text(b.toldBy), toldAt: instant(b.toldAt) ?? '' } : {};
        const dto = await asDto(LiftRestrictionDto, told);
        const outcome = await this.rights.liftRestriction(
          id,
          dto.toldBy && dto.toldAt ? { by: dto.toldBy, at: new Date(dto.toldAt) } : undefined,
        );
        if (outcome.state === 'pending') notice = 'liftqueued';
      },
    );
  }

  @Post('requests')
  @RequireScopes('requests:write')
  @CsrfProtected()
  async file(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    let to = '';
    await this.formAction(
      req,
      reply,
      id,
      'request',
      b,
      REQUEST_FIELDS,
      () => to,
      async () => {
        const receivedAt = instant(b.receivedAt);
        const dto = await asDto(CreateRequestDto, {
          type: text(b.type),
          subjectId: id,
          verified: b.verified === 'yes',
          ...(receivedAt ? { receivedAt } : {}),
          ...(text(b.details) ? { details: text(b.details) } : {}),
        });
        const { request, duplicate } = await this.intake.create(dto);
        to = `/console/requests/${request.id}?notice=${duplicate ? 'duplicate' : 'filed'}`;
      },
    );
  }

  /** Post/Redirect/Get (console-forms.ts `submitForm`): to the person's page with the notice, or where `done` says. */
  private formAction(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: SubjectForm,
    b: Form,
    fields: readonly string[],
    done: string | (() => string),
    fn: () => Promise<void>,
  ) {
    return submitForm(this.view, req, reply, {
      fields,
      codeFields: CODE_FIELDS,
      fromDto: FROM_DTO,
      page: `/console/subjects/${id}`,
      run: async () => {
        await fn();
        return typeof done === 'string' ? done : done();
      },
      sendBack: (errors) => this.page.render(req, reply, id, { form, values: b, errors }, 422),
    });
  }
}
