import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { PublicRequestAccepted, PublicRequestStatus, VerifyResponse } from './request-api.responses';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { RateLimited } from '../common/throttle/throttle.module';
import { Env } from '../config/env';
import { seeOther, wantsHtml } from '../web';
import { RequestOutputs } from './outputs/request-outputs.service';
import { PublicRequestsService } from './public-requests.service';
import { RequestIntake } from './request-intake.service';
import { MessagePage, messagePage, pageLang } from '../web';
import { PageLang, requestTypeLabel } from '../rendering';
import { requestPageText } from './public-pages';
import { REQUEST_TYPES, RequestType } from './request.types';
import {
  ApiErrorsAs,
  ApiFile,
  ApiFormOrJsonBody,
  ApiHtml,
  ApiPageOrJson,
  ApiProblem,
} from '../common/openapi/responses';

export class PublicRequestDto {
  @ApiProperty({ enum: REQUEST_TYPES })
  @IsIn(REQUEST_TYPES)
  type: RequestType;

  @ApiProperty({ example: 'anna.nowak@example.com' })
  @IsString()
  @MaxLength(320)
  email: string;

  @ApiPropertyOptional({ enum: ['pl', 'en'] })
  @IsOptional()
  @IsIn(['pl', 'en'])
  locale?: 'pl' | 'en';

  @ApiPropertyOptional({ description: "The person's own words (a correction described, grounds of an objection)" })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  details?: string;

  @ApiPropertyOptional({
    description: 'Rectification (+): field -> new value, the fields of POST /v1/requests; or describe it in `details`',
    example: { lastName: 'Kowalska' },
  })
  @IsOptional()
  @IsObject()
  changes?: Record<string, string | null>;

  @ApiPropertyOptional({
    type: [String],
    description: 'Objection (+): purpose keys; none or "direct_marketing" objects to direct marketing',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(/^[a-z0-9_-]{1,100}$/, { each: true })
  purposes?: string[];
}

export class ResendVerificationDto {
  @ApiProperty({ enum: REQUEST_TYPES })
  @IsIn(REQUEST_TYPES)
  type: RequestType;

  @ApiProperty({ example: 'anna.nowak@example.com' })
  @IsString()
  @MaxLength(320)
  email: string;
}

export class RequestTokenQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  token?: string;

  @ApiPropertyOptional({ enum: ['pl', 'en'] })
  @IsOptional()
  @IsIn(['pl', 'en'])
  lang?: 'pl' | 'en';
}

/** JSON `{ token }` or the confirmation page's form post. */
export class PublicVerifyBody extends RequestTokenQuery {}

const ACCEPTED = {
  status: 'accepted',
  message:
    'If the address belongs to someone whose data we hold, a confirmation link has been sent to it. The request is handled once confirmed.',
} as const;

const isJson = (contentType: string | undefined) => /json/i.test(contentType ?? '');

@ApiTags('public')
@Controller('public')
export class PublicRequestsController {
  constructor(
    private readonly requests: PublicRequestsService,
    private readonly outputs: RequestOutputs,
    private readonly intake: RequestIntake,
    private readonly env: Env,
  ) {}

  @Post('requests')
  @HttpCode(202)
  @Public()
  @RateLimited()
  @ApiOperation({
    summary: 'Make a request from the portal; the same answer whether or not the address is known (Recital 64)',
  })
  @ApiAcceptedResponse({ type: PublicRequestAccepted })
  @ApiServiceUnavailableResponse({
    description: 'Problem code `service_unavailable`: the subject lookup failed; nothing was sent (fail closed)',
  })
  async submit(@Body() dto: PublicRequestDto) {
    // Checked before anything is looked up: a refusal says the same whoever the address belongs to.
    const errors = this.intake.detailErrors(dto, { changesOrDetails: true });
    if (errors.length) throw new ProblemError('validation_failed', 'The request is not valid.', { errors });
    await this.requests.submit(dto.type, dto.email, dto.locale ?? 'pl', this.intake.detailsOf(dto));
    return ACCEPTED;
  }

  @Post('requests/resend')
  @ApiAcceptedResponse({ type: PublicRequestAccepted, description: 'The same answer whether or not it was sent' })
  @ApiProblem('service_unavailable')
  @HttpCode(202)
  @Public()
  @RateLimited()
  @ApiOperation({
    summary: 'Send the verification link again (a few times per request, not too often); the same answer always',
  })
  async resend(@Body() dto: ResendVerificationDto) {
    await this.requests.resend(dto.type, dto.email);
    return ACCEPTED;
  }

  @Get('verify')
  @ApiProblem('invalid_token', 'link_expired')
  @ApiErrorsAs('text/html')
  @ApiHtml('The confirmation page, with a button that posts the token')
  @ApiResponse({ status: 303, description: 'A browser is sent to the portal’s page for the same token' })
  @Public()
  @RateLimited()
  @ApiOperation({ summary: 'Confirmation page with a button; a GET never verifies (mail scanners follow links)' })
  async verifyPage(
    @Query() q: RequestTokenQuery,
    @Headers('accept-language') al: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    // A person's browser gets the portal's page (same token, same rules); API clients keep this one.
    if (wantsHtml(reply.request)) {
      return seeOther(
        reply,
        `/portal/verify?token=${encodeURIComponent(q.token ?? '')}${q.lang ? `&lang=${q.lang}` : ''}`,
      );
    }
    const lang = pageLang(al, q.lang);
    const t = requestPageText(lang);
    return this.page(reply, lang, async () => {
      const r = await this.requests.describe(q.token);
      return {
        title: t('verifyTitle'),
        message: t('verifyAsk', { type: requestTypeLabel(r.type, lang) ?? r.type }),
        form: { action: '/public/verify', token: q.token!, button: t('verifyButton'), lang },
        link: null,
      };
    });
  }

  @Post('verify')
  @ApiProblem('invalid_token', 'link_expired')
  @ApiErrorsAs('page-or-problem')
  @ApiFormOrJsonBody(PublicVerifyBody)
  @ApiPageOrJson(200, 'Verified: a page for a form post, JSON for a JSON client', VerifyResponse)
  @HttpCode(200)
  @Public()
  @RateLimited()
  @ApiOperation({ summary: 'Consume a verification link (single use): the request is verified and handled' })
  async verify(
    @Body() body: PublicVerifyBody | undefined,
    @Query() q: RequestTokenQuery,
    @Headers('content-type') contentType: string | undefined,
    @Headers('accept-language') al: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const token = body?.token ?? q.token;
    if (isJson(contentType)) {
      const r = await this.requests.verify(token);
      return { outcome: r.outcome, requestId: r.requestId, statusToken: r.statusToken, statusUrl: this.statusUrl(r) };
    }
    const lang = pageLang(al, body?.lang ?? q.lang);
    const t = requestPageText(lang);
    return this.page(reply, lang, async () => {
      const r = await this.requests.verify(token);
      return {
        title: t('verifyTitle'),
        message: r.outcome === 'duplicate' ? t('duplicate') : t('verified'),
        form: null,
        link: { href: this.statusUrl(r), text: t('statusLink') },
      };
    });
  }

  @Get('requests/:id')
  @ApiProblem('invalid_token', 'link_expired')
  @ApiOkResponse({ type: PublicRequestStatus })
  @ApiResponse({ status: 303, description: 'A browser is sent to the portal’s status page' })
  @Public()
  @RateLimited()
  @ApiOperation({ summary: 'Status of a request, for the link shown after verification' })
  status(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Query() q: RequestTokenQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (wantsHtml(reply.request)) {
      return seeOther(reply, `/portal/requests/${id}?token=${encodeURIComponent(q.token ?? '')}`);
    }
    return this.requests.status(id, q.token);
  }

  @Get('requests/:id/result')
  @ApiProblem('invalid_token', 'link_expired', 'result_not_available')
  @ApiFile('The access or portability package', 'application/zip')
  @Public()
  @RateLimited()
  @ApiOperation({ summary: 'Download the access package with the link from the completion e-mail (at most 7 days)' })
  async result(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Query() q: RequestTokenQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.requests.checkDownload(id, q.token);
    const file = await this.outputs.download(id, 'subject');
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer');
    return file.content;
  }

  private statusUrl(r: { requestId: string; statusToken: string }): string {
    return `${this.env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/public/requests/${r.requestId}?token=${encodeURIComponent(r.statusToken)}`;
  }

  /** People get a page, not problem+json, when a link is broken. */
  private page(reply: FastifyReply, lang: PageLang, build: () => Promise<MessagePage>): Promise<string> {
    const t = requestPageText(lang);
    return messagePage(
      reply,
      { lang, controllerName: this.env.CONTROLLER_NAME, invalid: { title: t('invalidTitle'), message: t('invalid') } },
      build,
    );
  }
}
