import {
  ArgumentsHost,
  Catch,
  Controller,
  Delete,
  ExceptionFilter,
  Get,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  OpenGdprCancelled,
  OpenGdprCreateBody,
  OpenGdprCreated,
  OpenGdprDiscovery,
  OpenGdprStatusResponse,
} from './opengdpr.responses';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal } from '../../common/auth/principal';
import { Public, RequireScopes } from '../../common/auth/scopes';
import { problemOf } from '../../common/problem/problem.filter';
import { ERROR_STATUS } from '../../common/problem/error-codes';
import { RequestOutputs } from '../outputs/request-outputs.service';
import { OpenGdprError, OPENGDPR_API_VERSION, OPENGDPR_TYPES, SUPPORTED_IDENTITIES } from './opengdpr-body';
import { OpenGdprService } from './opengdpr.service';
import { OpenGdprSigner } from './opengdpr-signer.service';
import { ApiErrorsAs, ApiFile } from '../../common/openapi/responses';

export const OPENGDPR_CREATE_ROUTES = ['/opengdpr/v1/opengdpr_requests', '/opengdpr/v1/requests'];

/** Every failure under /opengdpr in the specification's error shape (7.6), never with identity data. */
@Catch()
export class OpenGdprErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let body: ReturnType<OpenGdprError['body']>;
    if (error instanceof OpenGdprError) body = error.body();
    else {
      const { code, detail, extras } = problemOf(error);
      const status = ERROR_STATUS[code] === 422 ? 400 : ERROR_STATUS[code];
      const fields = (extras.errors as { field: string; message: string }[] | undefined) ?? [];
      body = new OpenGdprError(
        status,
        detail ?? code,
        fields.map((f) => ({ domain: 'Validation', reason: code, message: `${f.field}: ${f.message}` })),
      ).body();
    }
    void reply
      .status(body.error.code)
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);
  }
}

@ApiTags('opengdpr')
@Controller('opengdpr/v1')
@ApiErrorsAs('opengdpr')
@UseFilters(OpenGdprErrorFilter)
export class OpenGdprController {
  constructor(
    private readonly service: OpenGdprService,
    private readonly signer: OpenGdprSigner,
    private readonly outputs: RequestOutputs,
  ) {}

  @Get('discovery')
  @ApiOkResponse({ type: OpenGdprDiscovery, description: 'Signed (X-OpenGDPR-Signature)' })
  @Public()
  @ApiOperation({ summary: 'OpenGDPR discovery (spec 6)' })
  async discovery(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.signed(reply, 200, {
      api_version: OPENGDPR_API_VERSION,
      supported_identities: SUPPORTED_IDENTITIES,
      supported_subject_request_types: OPENGDPR_TYPES,
      processor_certificate: this.service.certificateUrl(),
    });
  }

  @Get('processor-key.pem')
  @ApiFile('SPKI PEM', 'application/x-pem-file')
  @Public()
  @ApiOperation({ summary: 'The public key that verifies X-OpenGDPR-Signature (SPKI PEM)' })
  async key(@Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('content-type', 'application/x-pem-file');
    return this.signer.publicKeyPem();
  }

  @Post(['opengdpr_requests', 'requests'])
  @ApiBody({ type: OpenGdprCreateBody })
  @ApiCreatedResponse({ type: OpenGdprCreated, description: 'Signed (X-OpenGDPR-Signature)' })
  @ApiResponse({ status: 409, description: 'The subject_request_id was already used with another request' })
  @ApiResponse({ status: 503, description: 'The database or Redis is unavailable: retry later' })
  @HttpCode(201)
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Create an OpenGDPR request (spec 7); `requests` is the OpenDSR v2 alias' })
  async create(
    @Req() req: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.signed(reply, 201, await this.service.create(req.rawBody, principal));
  }

  @Get(['opengdpr_requests/:id', 'requests/:id'])
  @ApiOkResponse({ type: OpenGdprStatusResponse, description: 'Signed (X-OpenGDPR-Signature)' })
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Status of an OpenGDPR request (spec 8)' })
  async status(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.signed(reply, 200, await this.service.status(id, principal));
  }

  @Delete(['opengdpr_requests/:id', 'requests/:id'])
  @ApiAcceptedResponse({ type: OpenGdprCancelled, description: 'Signed (X-OpenGDPR-Signature)' })
  @ApiResponse({ status: 409, description: 'The request is no longer pending' })
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Cancel while pending (spec 9): 202, else 409' })
  async cancel(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.signed(reply, 202, await this.service.cancel(id, principal));
  }

  @Get(['opengdpr_requests/:id/results', 'requests/:id/results'])
  @ApiFile('The package', 'application/zip')
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'The access or portability package (ZIP) of a completed request; audited' })
  async results(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const file = await this.outputs.download(await this.service.requestIdFor(id, principal), 'controller');
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store');
    return file.content;
  }

  /** The body is serialised once and signed as sent (spec 8.8: verify the raw contents). */
  private async signed(reply: FastifyReply, status: number, value: object): Promise<string> {
    const body = JSON.stringify(value);
    void reply
      .status(status)
      .headers(await this.signer.headers(body))
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store');
    return body;
  }
}
