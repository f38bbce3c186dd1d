import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  CertificateResponse,
  ClockResponse,
  INTAKE_EXAMPLE,
  INTAKE_REQUEST_EXAMPLE,
  RequestResponse,
  ResendResponse,
} from './request-api.responses';
import type { FastifyReply } from 'fastify';
import { Public, RequireScopes } from '../common/auth/scopes';
import { pageOf } from '../common/http/pagination';
import { Idempotent } from '../idempotency';
import { RequestOutputs } from './outputs/request-outputs.service';
import { SigningKeys } from './outputs/signing-keys.service';
import { RequestIntake } from './request-intake.service';
import { RequestVault } from './request-vault.service';
import { requestView } from './request.view';
import { ObjectionAssessments } from './objection-assessment.service';
import {
  AssessObjectionDto,
  CreateRequestDto,
  RecipientToldDto,
  ExtendRequestDto,
  ListRequestsQuery,
  RejectRequestDto,
} from './requests.dto';
import { RequestsService } from './requests.service';
import { PublicRequestsService } from './public-requests.service';
import { DataSource } from 'typeorm';
import { ApiFile, ApiPage, ApiProblem, JwksResponse } from '../common/openapi/responses';

const Id = () => new ParseUUIDPipe({ version: '4' });

@ApiTags('requests')
@Controller('v1/requests')
export class RequestsController {
  constructor(
    private readonly intake: RequestIntake,
    private readonly requests: RequestsService,
    private readonly outputs: RequestOutputs,
    private readonly keys: SigningKeys,
    private readonly vault: RequestVault,
    private readonly publicRequests: PublicRequestsService,
    private readonly dataSource: DataSource,
    private readonly assessments: ObjectionAssessments,
  ) {}

  @Post()
  @RequireScopes('requests:write')
  @Idempotent<RequestsController, RequestResponse & { duplicate: boolean }>({
    ref: (b) => ({ id: b.id, duplicate: b.duplicate }),
    replay: async (c, r) => ({ ...(await c.full(String(r.id))), duplicate: r.duplicate === true }),
  })
  @ApiOperation({
    summary: 'Record a data-subject request (Art. 15-21)',
    description:
      '201 with the new request. When the subject already has an open request of this type, 200 with that request and `duplicate: true` (one answer, one deadline).',
  })
  @ApiBody({ type: CreateRequestDto, examples: { verifiedInStore: { value: INTAKE_REQUEST_EXAMPLE } } })
  @ApiCreatedResponse({ type: RequestResponse, description: 'The new request', example: INTAKE_EXAMPLE })
  @ApiOkResponse({ type: RequestResponse, description: 'The open request of this type (`duplicate: true`)' })
  @ApiNotFoundResponse({ description: 'Problem code `unknown_subject`: no subject with the `subjectId` given' })
  async create(@Body() dto: CreateRequestDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { request, duplicate } = await this.intake.create(dto);
    void reply.status(duplicate ? 200 : 201);
    return { ...(await this.full(request.id)), duplicate };
  }

  @Get()
  @ApiPage(RequestResponse, 'One page; the list view has no tasks')
  @RequireScopes('requests:read')
  @ApiOperation({
    summary:
      'List requests, newest first, or with `sort=due` open requests by deadline; `overdue=true` / `atRisk=true` narrow to those past or near their deadline',
  })
  async list(@Query() q: ListRequestsQuery) {
    const rows = await this.requests.list(q);
    return pageOf(
      rows,
      q.limit,
      (r) => requestView(r, this.vault),
      (r) => this.requests.cursorOf(r, q.sort),
    );
  }

  @Get('jwks.json')
  @ApiOkResponse({ type: JwksResponse })
  @Public()
  @ApiOperation({ summary: 'Public keys that verify erasure certificates (EdDSA)' })
  jwks() {
    return this.keys.jwks('certificate');
  }

  @Get(':id')
  @ApiOperation({ summary: 'A request with its tasks per data system' })
  @ApiOkResponse({ type: RequestResponse })
  @RequireScopes('requests:read')
  get(@Param('id', Id()) id: string) {
    return this.full(id);
  }

  @Get(':id/clock')
  @ApiOkResponse({ type: ClockResponse })
  @RequireScopes('requests:read')
  @ApiOperation({ summary: 'How the deadline was computed (Art. 12(3), Reg. 1182/71): days skipped, extension' })
  clock(@Param('id', Id()) id: string) {
    return this.requests.clock(id);
  }

  @Post(':id/extend')
  @ApiOkResponse({ type: RequestResponse })
  @ApiProblem('extension_not_allowed', 'subject_cannot_be_told')
  @HttpCode(200)
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Extend by 1 or 2 months, within the first month, with reasons told to the subject' })
  async extend(@Param('id', Id()) id: string, @Body() dto: ExtendRequestDto) {
    const { subjectNotified } = await this.requests.extend(id, dto);
    return { ...(await this.full(id)), subjectNotified };
  }

  @Post(':id/recipients/told')
  @ApiOkResponse({ type: RequestResponse })
  @ApiProblem('unknown_recipient')
  @HttpCode(200)
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Record that a named recipient was told of the change (Art. 19)' })
  async recipientTold(@Param('id', Id()) id: string, @Body() dto: RecipientToldDto) {
    await this.requests.recipientTold(id, dto);
    return this.full(id);
  }

  @Post(':id/assessment')
  @ApiOkResponse({ type: RequestResponse })
  @ApiProblem('invalid_transition', 'subject_cannot_be_told')
  @HttpCode(200)
  @RequireScopes('requests:write')
  @ApiOperation({
    summary: 'Record the assessment of an objection to named purposes (Art. 21(1)); the subject is told',
  })
  async assess(@Param('id', Id()) id: string, @Body() dto: AssessObjectionDto) {
    await this.assessments.assess(id, dto);
    return this.full(id);
  }

  @Post(':id/verify')
  @ApiOkResponse({ type: RequestResponse })
  @ApiProblem('invalid_transition')
  @HttpCode(200)
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Staff confirmed the identity another way; the work starts' })
  async verify(@Param('id', Id()) id: string) {
    await this.requests.verify(id);
    return this.full(id);
  }

  @Post(':id/verification/resend')
  @ApiAcceptedResponse({ type: ResendResponse })
  @ApiProblem('invalid_transition', 'resend_limited')
  @HttpCode(202)
  @RequireScopes('requests:write')
  @ApiOperation({
    summary: 'Mail a fresh verification link (earlier ones stop working); limited per request (429 resend_limited)',
  })
  async resendVerification(@Param('id', Id()) id: string): Promise<ResendResponse> {
    const { remaining, expiresAt } = await this.dataSource.transaction((m) =>
      this.publicRequests.resendVerification(m, id),
    );
    return { id, resent: true, remainingResends: remaining, linkExpiresAt: expiresAt.toISOString() };
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a request that has not started' })
  @ApiOkResponse({ type: RequestResponse })
  @ApiProblem('invalid_transition')
  @HttpCode(200)
  @RequireScopes('requests:write')
  async cancel(@Param('id', Id()) id: string) {
    await this.requests.cancel(id);
    return this.full(id);
  }

  @Post(':id/reject')
  @ApiOkResponse({ type: RequestResponse })
  @ApiProblem('invalid_transition')
  @HttpCode(200)
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Refuse (Art. 12(4)); the subject is told the reasons and the right to complain to UODO' })
  async reject(@Param('id', Id()) id: string, @Body() dto: RejectRequestDto) {
    await this.requests.reject(id, dto.reason);
    return this.full(id);
  }

  @Post(':id/retry')
  @ApiOkResponse({ type: RequestResponse })
  @ApiProblem('invalid_transition')
  @HttpCode(200)
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Run the failed tasks of a failed request again' })
  async retry(@Param('id', Id()) id: string) {
    await this.requests.retry(id);
    return this.full(id);
  }

  @Get(':id/result')
  @ApiFile('The package', 'application/zip')
  @RequireScopes('requests:read')
  @ApiOperation({ summary: 'The access or portability package (ZIP); each download is audited' })
  async result(@Param('id', Id()) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const file = await this.outputs.download(id, 'staff');
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store');
    return file.content;
  }

  @Get(':id/certificate')
  @RequireScopes('requests:read')
  @ApiOkResponse({ type: CertificateResponse })
  certificate(@Param('id', Id()) id: string) {
    return this.outputs.certificate(id);
  }

  private full(id: string): Promise<RequestResponse> {
    return this.requests.detail(id);
  }
}
