import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConfirmResponse, PreferencesResponse, UnsubscribeResponse } from './consent-api.responses';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/scopes';
import { Env } from '../config/env';
import { seeOther, wantsHtml } from '../web';
import { DoubleOptInService } from './double-opt-in.service';
import { MessagePage, messagePage, pageLang } from '../web';
import type { PageLang } from '../rendering';
import { channelLabel } from './channel-words';
import { consentPageText } from './public-pages';
import { PublicConsentService } from './public-consent.service';
import { ApiErrorsAs, ApiFormOrJsonBody, ApiHtml, ApiPageOrJson, ApiProblem } from '../common/openapi/responses';
import { GpcResponse } from './consent-records.responses';

export class ConsentTokenQuery {
  @ApiProperty()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  token?: string;

  @ApiPropertyOptional({ enum: ['pl', 'en'] })
  @IsOptional()
  @IsIn(['pl', 'en'])
  lang?: PageLang;
}

/** JSON `{ token }`, a form post from our page, or RFC 8058 `List-Unsubscribe=One-Click` (token in the URL). */
export class TokenBody {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  token?: string;

  @ApiPropertyOptional({ enum: ['One-Click'] })
  @IsOptional()
  @IsIn(['One-Click'])
  'List-Unsubscribe'?: string;
}

const isJson = (contentType: string | undefined) => /json/i.test(contentType ?? '');

@ApiTags('public')
@Controller('public')
export class PublicConsentController {
  constructor(
    private readonly consent: PublicConsentService,
    private readonly optIn: DoubleOptInService,
    private readonly env: Env,
  ) {}

  @Get('unsubscribe')
  @ApiProblem('invalid_token')
  @ApiErrorsAs('text/html')
  @ApiHtml('The page with the withdrawal button')
  @Public()
  @ApiOperation({
    summary: 'Page with a one-click withdrawal button (a GET never withdraws: mail scanners follow links)',
  })
  async unsubscribePage(
    @Query() q: ConsentTokenQuery,
    @Headers('accept-language') al: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const lang = pageLang(al, q.lang);
    const t = consentPageText(lang);
    return this.html(reply, lang, async () => {
      const { claims, purpose } = await this.consent.describeUnsubscribe(q.token ?? '');
      return {
        title: t('unsubscribeTitle'),
        message: t('unsubscribeAsk', { purpose: purpose.name, channel: channelLabel(claims.channel, lang) }),
        form: { action: '/public/unsubscribe', token: q.token!, button: t('unsubscribeButton'), lang: null },
        link: null,
      };
    });
  }

  @Post('unsubscribe')
  @ApiProblem('invalid_token')
  @ApiErrorsAs('page-or-problem')
  @ApiFormOrJsonBody(TokenBody)
  @ApiPageOrJson(200, 'Withdrawn: a page for a form post, JSON for a JSON client', UnsubscribeResponse)
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Withdraw exactly the purpose and channel of the signed token (RFC 8058 compatible)' })
  async unsubscribe(
    @Query() q: ConsentTokenQuery,
    @Body() body: TokenBody | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Headers('accept-language') al: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const token = body?.token ?? q.token ?? '';
    if (isJson(contentType)) {
      const r = await this.consent.unsubscribe(token);
      return { status: r.outcome, purpose: r.purpose.key, channel: r.channel };
    }
    const lang = pageLang(al, q.lang);
    return this.html(reply, lang, async () => {
      const r = await this.consent.unsubscribe(token);
      const t = consentPageText(lang);
      return {
        title: t('unsubscribeTitle'),
        message: t('unsubscribeDone', { purpose: r.purpose.name }),
        form: null,
        link: null,
      };
    });
  }

  @Get('preferences')
  @ApiOkResponse({ type: PreferencesResponse })
  @ApiProblem('invalid_token')
  @ApiResponse({ status: 303, description: 'A browser is sent to the preference centre for the same token' })
  @Public()
  @ApiOperation({ summary: "A subject's consents, for a signed preferences token" })
  preferences(@Query() q: ConsentTokenQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    // A person opening the link from a message gets the preference centre; API clients keep the JSON.
    if (wantsHtml(reply.request)) {
      return seeOther(
        reply,
        `/portal/preferences?token=${encodeURIComponent(q.token ?? '')}${q.lang ? `&lang=${q.lang}` : ''}`,
      );
    }
    return this.consent.preferences(q.token ?? '');
  }

  @Get('consents/confirm')
  @ApiProblem('invalid_token')
  @ApiErrorsAs('text/html')
  @ApiHtml('The page with the confirmation button')
  @Public()
  @ApiOperation({ summary: 'Double opt-in: page with a confirmation button' })
  async confirmPage(
    @Query() q: ConsentTokenQuery,
    @Headers('accept-language') al: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const lang = pageLang(al, q.lang);
    const t = consentPageText(lang);
    return this.html(reply, lang, async () => {
      const { purpose } = await this.optIn.describe(q.token ?? '');
      return {
        title: t('confirmTitle'),
        message: t('confirmAsk', { purpose: purpose.name }),
        form: { action: '/public/consents/confirm', token: q.token!, button: t('confirmButton'), lang: null },
        link: null,
      };
    });
  }

  @Post('consents/confirm')
  @ApiProblem('invalid_token')
  @ApiErrorsAs('page-or-problem')
  @ApiFormOrJsonBody(TokenBody)
  @ApiPageOrJson(200, 'Confirmed: a page for a form post, JSON for a JSON client', ConfirmResponse)
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Double opt-in: confirm the pending grant named by the signed token' })
  async confirm(
    @Query() q: ConsentTokenQuery,
    @Body() body: TokenBody | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Headers('accept-language') al: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const token = body?.token ?? q.token ?? '';
    const evidence = { ip: req.ip, userAgent: userAgent?.slice(0, 500) };
    if (isJson(contentType)) {
      const r = await this.optIn.confirm(token, evidence);
      return { status: r.outcome, purpose: r.purpose.key };
    }
    const lang = pageLang(al, q.lang);
    return this.html(reply, lang, async () => {
      const r = await this.optIn.confirm(token, evidence);
      const t = consentPageText(lang);
      return {
        title: t('confirmTitle'),
        message: r.outcome === 'no_longer_pending' ? t('notPending') : t('confirmed', { purpose: r.purpose.name }),
        form: null,
        link: null,
      };
    });
  }

  /** People get a page, not problem+json, when a link is broken. */
  private html(reply: FastifyReply, lang: PageLang, build: () => Promise<MessagePage>): Promise<string> {
    const t = consentPageText(lang);
    return messagePage(
      reply,
      { lang, controllerName: this.env.CONTROLLER_NAME, invalid: { title: t('invalidTitle'), message: t('invalid') } },
      build,
    );
  }
}

@ApiTags('public')
@Controller('.well-known')
export class GpcController {
  @Get('gpc.json')
  @ApiOkResponse({ type: GpcResponse })
  @Public()
  @ApiOperation({ summary: 'Global Privacy Control support (LEGAL item 11)' })
  gpc(@Res({ passthrough: true }) reply: FastifyReply): GpcResponse {
    void reply.header('cache-control', 'public, max-age=86400');
    return { gpc: true, lastUpdate: GPC_LAST_UPDATE };
  }
}

/** The day GPC handling last changed; bump it with the behaviour. */
export const GPC_LAST_UPDATE = '2026-12-06';
