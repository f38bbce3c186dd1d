import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { HoldResponse, RestrictionLiftPending, SubjectCreated, SubjectResponse } from './subjects.responses';
import type { FastifyReply } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { AuditService } from '../audit';
import { Idempotent } from '../idempotency';
import { SubjectLifecycleService } from './subject-lifecycle.service';
import { SubjectLookupService, SubjectProfile } from './subject-lookup.service';
import { SubjectRightsService } from './subject-rights.service';
import { holdView, subjectView } from './subject.view';
import {
  AddHoldDto,
  CreateSubjectDto,
  EraseSubjectDto,
  LiftRestrictionDto,
  MergeSubjectsDto,
  RecordActivityDto,
  RestrictSubjectDto,
  SubjectLookupQuery,
  UpdateSubjectDto,
} from './subjects.dto';
import { ApiPage, ApiProblem } from '../common/openapi/responses';

const Id = () => Param('id', new ParseUUIDPipe());

@ApiTags('subjects')
@Controller('v1/subjects')
export class SubjectsController {
  constructor(
    private readonly subjects: SubjectLookupService,
    private readonly lifecycle: SubjectLifecycleService,
    private readonly rights: SubjectRightsService,
    private readonly audit: AuditService,
  ) {}

  /** The answer holds no personal data (read the subject with GET): the creation's facts, its own reference. */
  @Post()
  @ApiCreatedResponse({ type: SubjectCreated, description: 'Created; the answer holds no personal data' })
  @ApiProblem('subject_exists')
  @RequireScopes('subjects:write')
  @Idempotent<SubjectsController, SubjectCreated>({
    ref: (b) => ({ id: b.id, createdAt: b.createdAt }),
    replay: (_c, r) => ({ id: String(r.id), status: 'active' as const, createdAt: String(r.createdAt) }),
  })
  @ApiOperation({ summary: 'Create a subject; identifiers are normalised, encrypted and blind-indexed' })
  async create(@Body() dto: CreateSubjectDto) {
    // Everything the answer says is known once the transaction commits: no read back.
    const { id, createdAt } = await this.lifecycle.create(dto);
    return { id, status: 'active' as const, createdAt: createdAt.toISOString() };
  }

  @Get()
  @ApiPage(SubjectResponse, 'The subjects with this identifier (no cursor: an exact match is a short list)')
  @RequireScopes('subjects:read')
  @ApiOperation({ summary: 'Find subjects by exactly one of email, phone or externalId (exact match)' })
  async lookup(@Query() q: SubjectLookupQuery) {
    const given = (['email', 'phone', 'externalId'] as const).filter((f) => q[f] !== undefined);
    if (given.length !== 1) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'email', message: 'give exactly one of email, phone, externalId' }],
      });
    }
    const field = given[0];
    if (q.system && field !== 'externalId') {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'system', message: 'system applies to an externalId lookup only' }],
      });
    }
    const kind = field === 'externalId' ? 'external_id' : field;
    const profiles = await this.subjects.findProfilesByIdentifier(kind, q[field]!, q.system, q.limit);
    await this.audit.appendRead(
      profiles.map((p) => ({
        action: 'subject.viewed',
        targetType: 'subject',
        targetId: p.id,
        subjectId: p.id,
        data: { via: 'lookup', by: kind },
      })),
    );
    return { items: profiles.map((p) => subjectView(p)), nextCursor: null };
  }

  @Get(':id')
  @ApiOkResponse({ type: SubjectResponse })
  @RequireScopes('subjects:read')
  @ApiOperation({ summary: 'A subject, decrypted; a merged id answers with the survivor and `mergedInto`' })
  get(@Id() id: string) {
    return this.subjects.view(id, 'api');
  }

  @Patch(':id')
  @ApiOkResponse({ type: SubjectResponse })
  @ApiProblem('subject_exists', 'subject_erased')
  @RequireScopes('subjects:write')
  @ApiOperation({ summary: 'Rectify a subject (Art. 16); the changed field names are audited' })
  async update(@Id() id: string, @Body() dto: UpdateSubjectDto) {
    const { id: survivor } = await this.lifecycle.update(id, dto);
    return subjectView(await this.profile(survivor), id);
  }

  @Post(':id/merge')
  @ApiOkResponse({ type: SubjectResponse, description: 'The survivor, with the merged id in mergedIds' })
  @ApiProblem('conflict')
  @HttpCode(200)
  @RequireScopes('subjects:write')
  @ApiOperation({ summary: 'Merge another record of the same person into this one' })
  async merge(@Id() id: string, @Body() dto: MergeSubjectsDto) {
    await this.lifecycle.merge(id, dto.mergedId);
    return subjectView(await this.profile(id));
  }

  @Post(':id/restriction')
  @ApiOkResponse({ type: SubjectResponse })
  @HttpCode(200)
  @RequireScopes('subjects:write')
  @ApiOperation({ summary: 'Restrict processing (Art. 18)' })
  async restrict(@Id() id: string, @Body() dto: RestrictSubjectDto) {
    await this.rights.restrict(id, dto.reason);
    return subjectView(await this.profile(id), id);
  }

  @Delete(':id/restriction')
  @ApiProblem('restriction_notice_required')
  @RequireScopes('subjects:write')
  @ApiOperation({
    summary: 'Lift a restriction once the subject was told (Art. 18(3))',
    description:
      'With an e-mail address: 202 `{ noticeId, subject }`; the notice is queued and the restriction ends when ' +
      'it is sent. Without one: 409 `restriction_notice_required` unless the body records how the subject was ' +
      'told (`toldBy`, `toldAt`), then 200 with the subject, lifted. Not restricted: 200 with the subject.',
  })
  @ApiOkResponse({ type: SubjectResponse, description: 'Lifted, or not restricted' })
  @ApiAcceptedResponse({ type: RestrictionLiftPending, description: 'Notice queued; the restriction ends when sent' })
  async lift(@Id() id: string, @Body() dto: LiftRestrictionDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const told = dto.toldBy && dto.toldAt ? { by: dto.toldBy, at: new Date(dto.toldAt) } : undefined;
    const outcome = await this.rights.liftRestriction(id, told);
    const subject = subjectView(await this.profile(id), id);
    if (outcome.state !== 'pending') return subject;
    void reply.status(202);
    return { noticeId: outcome.noticeId, subject };
  }

  @Get(':id/holds')
  @ApiPage(HoldResponse, 'Every hold, active or released (no cursor: one page)')
  @ApiOperation({ summary: 'The legal holds on a subject' })
  @RequireScopes('subjects:read')
  async holds(@Id() id: string) {
    await this.profile(id);
    return { items: (await this.rights.listHolds(id)).map(holdView), nextCursor: null };
  }

  /** The reason (free text, may name people) is left out of the answer: read the hold with GET. */
  @Post(':id/holds')
  @ApiCreatedResponse({ type: HoldResponse, description: 'Placed; `reason` is left out (null)' })
  @RequireScopes('subjects:write')
  @Idempotent<SubjectsController, HoldResponse>({
    ref: (b, params) => ({ id: b.id, subject: params.id }),
    replay: async (c, r) =>
      holdView({ ...(await c.rights.listHolds(String(r.subject))).find((h) => h.id === r.id)!, reason: null }),
  })
  @ApiOperation({
    summary: 'Place a legal hold (Art. 17(3)): retention and erasure keep the held data categories while it lasts',
    description:
      'An erasure requested meanwhile erases everything else and keeps the held categories, restricted; when the ' +
      'hold ends (released, or `until` passed) Zgoda finishes the erasure with a follow-up request.',
  })
  async addHold(@Id() id: string, @Body() dto: AddHoldDto) {
    const field = dto.until !== undefined ? 'until' : 'endsAt';
    const until = dto.until ?? dto.endsAt;
    const endsAt = until ? new Date(until) : null;
    if (endsAt && endsAt.getTime() <= Date.now()) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field, message: `${field} must be in the future` }],
      });
    }
    const holdId = await this.rights.addHold(id, {
      reason: dto.reason,
      legalBasis: dto.legalBasis,
      categories: dto.categories ?? [],
      endsAt,
    });
    const hold = (await this.rights.listHolds(id)).find((h) => h.id === holdId)!;
    return holdView({ ...hold, reason: null });
  }

  @Delete(':id/holds/:holdId')
  @ApiNoContentResponse({ description: 'Released' })
  @HttpCode(204)
  @RequireScopes('subjects:write')
  @ApiOperation({ summary: 'Release a legal hold' })
  async releaseHold(@Id() id: string, @Param('holdId', new ParseUUIDPipe()) holdId: string): Promise<void> {
    await this.rights.releaseHold(id, holdId);
  }

  @Post(':id/activity')
  @ApiNoContentResponse({ description: 'Recorded' })
  @HttpCode(204)
  @RequireScopes('subjects:write')
  @ApiOperation({
    summary: 'Record activity of the subject, or the date of a last entry or event a data system reports (retention)',
  })
  async activity(@Id() id: string, @Body() dto: RecordActivityDto): Promise<void> {
    const at = dto.at ? new Date(dto.at) : undefined;
    if (dto.kind) await this.lifecycle.recordEntry(id, dto.kind, dto.system, at);
    else await this.lifecycle.touchActivity(id, at);
  }

  @Post(':id/erase')
  @ApiNoContentResponse({ description: 'Erased in Zgoda’s own store' })
  @ApiProblem('subject_on_hold')
  @HttpCode(204)
  @RequireScopes('admin')
  @ApiOperation({
    summary:
      "Crypto-shred the subject in Zgoda's own store only; an erasure request (Art. 17) also reaches the data systems",
  })
  async erase(@Id() id: string, @Body() dto: EraseSubjectDto): Promise<void> {
    await this.lifecycle.erase(id, dto.reason);
  }

  private async profile(id: string): Promise<SubjectProfile> {
    const profile = await this.subjects.getProfile(id);
    if (!profile) throw new ProblemError('unknown_subject', 'No subject with this id.');
    return profile;
  }
}
