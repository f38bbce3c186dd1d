import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IsEnum, IsString, Length, Matches } from 'class-validator';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { Idempotent } from '../idempotency';
import { ConsentLinksService, PREFERENCES_TTL_S, UNSUBSCRIBE_TTL_S } from './consent-links.service';
import { ConsentQueryService } from './consent-query.service';
import { ConsentByIdentifierResponse, ConsentEventResponse, ConsentStatesResponse } from './consent-api.responses';
import { consentEventView } from './consent-views';
import { Channel, PURPOSE_KEY_PATTERN } from './consent.types';
import { ConsentsService } from './consents.service';
import { AsOfQuery, GrantConsentByIdentifierDto, GrantConsentDto } from './grant-consent.dto';
import { PurposesRepository } from './purposes.repository';
import { HistoryResponse, LinkResponse, ProofResponse, UnsubscribeLinkResponse } from './consent-records.responses';
import { GRANT_EXAMPLE, GRANT_REQUEST_EXAMPLE } from './consent-api.examples';

export class UnsubscribeLinkDto {
  @ApiProperty()
  @IsString()
  @Length(1, 64)
  @Matches(PURPOSE_KEY_PATTERN)
  purpose: string;

  @ApiProperty({ enum: Channel })
  @IsEnum(Channel)
  channel: Channel;
}

const uuid = new ParseUUIDPipe();
// LEGAL item 11: only the exact value "1" is a GPC signal.
const gpcOf = (header: string | undefined) => header === '1';
const GPC_HEADER = ApiHeader({ name: 'Sec-GPC', required: false, description: '"1": Global Privacy Control' });

@ApiTags('consents')
@Controller('v1')
export class ConsentsController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly query: ConsentQueryService,
    private readonly links: ConsentLinksService,
    private readonly purposes: PurposesRepository,
  ) {}

  @Post('subjects/:id/consents')
  @RequireScopes('consent:write')
  @Idempotent<ConsentsController, ConsentEventResponse>({
    ref: (b) => ({ id: b.id }),
    replay: async (c, r) => consentEventView(await c.query.event(String(r.id))),
  })
  @GPC_HEADER
  @ApiOperation({ summary: 'Record a decision (grant, refusal, withdrawal); answers with a signed receipt' })
  @ApiCreatedResponse({ type: ConsentEventResponse })
  @ApiConflictResponse({ description: 'Problem code `subject_erased`: a grant for an erased subject' })
  async record(
    @Param('id', uuid) id: string,
    @Body() dto: GrantConsentDto,
    @Headers('sec-gpc') gpc: string | undefined,
  ) {
    return consentEventView(await this.consents.recordForSubject(id, dto, gpcOf(gpc)));
  }

  @Post('consents')
  @RequireScopes('consent:write')
  @Idempotent<ConsentsController, ConsentEventResponse & { subjectCreated: boolean }>({
    ref: (b) => ({ id: b.id, subjectCreated: b.subjectCreated }),
    replay: async (c, r) => ({
      ...consentEventView(await c.query.event(String(r.id))),
      subjectCreated: r.subjectCreated === true,
    }),
  })
  @GPC_HEADER
  @ApiOperation({ summary: 'Record a decision for a subject found by identifier, created when unknown' })
  @ApiBody({ type: GrantConsentByIdentifierDto, examples: { webForm: { value: GRANT_REQUEST_EXAMPLE } } })
  @ApiCreatedResponse({ type: ConsentByIdentifierResponse, example: GRANT_EXAMPLE })
  @ApiConflictResponse({ description: 'Problem code `subject_erased`: a grant for an erased subject' })
  async recordByIdentifier(@Body() dto: GrantConsentByIdentifierDto, @Headers('sec-gpc') gpc: string | undefined) {
    const e = await this.consents.recordByIdentifier(dto, gpcOf(gpc));
    return { ...consentEventView(e), subjectCreated: e.created };
  }

  @Get('subjects/:id/consents')
  @ApiOkResponse({ type: ConsentStatesResponse })
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'Current state per purpose and channel, or the state at `at` rebuilt from events' })
  async states(@Param('id', uuid) id: string, @Query() q: AsOfQuery): Promise<ConsentStatesResponse> {
    const subjectId = await this.query.resolve(id);
    const at = q.at ? new Date(q.at) : undefined;
    return { subjectId, at: at?.toISOString() ?? null, items: await this.query.states(subjectId, at) };
  }

  @Get('subjects/:id/consents/history')
  @ApiOkResponse({ type: HistoryResponse })
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'Every consent event of the subject, oldest first' })
  async history(@Param('id', uuid) id: string): Promise<HistoryResponse> {
    const subjectId = await this.query.resolve(id);
    return { subjectId, items: await this.query.history(subjectId) };
  }

  @Get('subjects/:id/consents/:consentId/proof')
  @ApiOkResponse({ type: ProofResponse })
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'Proof of one decision: event, exact text, hashes, evidence, receipt, audit trail' })
  proof(@Param('id', uuid) id: string, @Param('consentId', uuid) consentId: string) {
    return this.query.viewProof(id, consentId);
  }

  @Post('subjects/:id/unsubscribe-links')
  @ApiCreatedResponse({ type: UnsubscribeLinkResponse })
  @RequireScopes('consent:write')
  @ApiOperation({ summary: 'One-click withdrawal link for one purpose and channel, for every marketing message' })
  async unsubscribeLink(
    @Param('id', uuid) id: string,
    @Body() dto: UnsubscribeLinkDto,
  ): Promise<UnsubscribeLinkResponse> {
    const subjectId = await this.query.resolve(id);
    const purpose = await this.purposes.findByKey(dto.purpose);
    if (!purpose) throw new ProblemError('unknown_purpose', 'No purpose with this key.');
    if (!purpose.channels.includes(dto.channel)) {
      throw new ProblemError('channel_not_offered', 'The purpose does not offer this channel.');
    }
    const token = this.links.unsubscribeToken({ subjectId, purposeKey: purpose.key, channel: dto.channel });
    const url = this.links.url('/public/unsubscribe', token);
    return {
      url,
      token,
      expiresAt: new Date(Date.now() + UNSUBSCRIBE_TTL_S * 1000).toISOString(),
      // RFC 2369 and RFC 8058 headers for the message.
      headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
  }

  @Post('subjects/:id/preference-links')
  @ApiCreatedResponse({ type: LinkResponse })
  @RequireScopes('consent:write')
  @ApiOperation({ summary: "Link to a read-only view of the subject's consents" })
  async preferenceLink(@Param('id', uuid) id: string): Promise<LinkResponse> {
    const token = this.links.preferencesToken(await this.query.resolve(id));
    return {
      url: this.links.url('/public/preferences', token),
      token,
      expiresAt: new Date(Date.now() + PREFERENCES_TTL_S * 1000).toISOString(),
    };
  }
}
