import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  ActivityDetailsResponse,
  ControllerSettingsResponse,
  RegisterChangesResponse,
  RegisterResponse,
  RegisterVersionList,
  SignOffResponse,
} from './register.responses';
import type { FastifyReply } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { Env } from '../config/env';
import { Idempotent } from '../idempotency';
import { ControllerSettingsService } from './controller-settings.service';
import type { RegisterRole } from './register-columns';
import { fileName } from './register-labels';
import { toCsv, toHtml, toJsonLd, toPdf, toXlsx } from './register-render';
import {
  ActivityDetailsDto,
  RegisterChangesQuery,
  ControllerSettingsDto,
  RegisterQuery,
  SignOffDto,
} from './register.dto';
import { RegisterService } from './register.service';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const attachment = (name: string) => `attachment; filename="${name}"`;

@ApiTags('register')
@Controller('v1/register')
export class RegisterController {
  constructor(
    private readonly register: RegisterService,
    private readonly env: Env,
  ) {}

  @Get()
  @RequireScopes('register:read')
  @ApiExtraModels(RegisterResponse)
  @ApiResponse({
    status: 200,
    description: 'In the `format` asked for: JSON (the default), JSON-LD, CSV, XLSX, HTML or PDF',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(RegisterResponse) } },
      'application/ld+json': { schema: { type: 'object', description: 'The same register as linked data' } },
      ...Object.fromEntries(
        ['text/csv', XLSX, 'text/html', 'application/pdf'].map((m) => [
          m,
          { schema: { type: 'string', format: 'binary' } },
        ]),
      ),
    },
  })
  @ApiOperation({ summary: 'The register of processing activities (Art. 30), generated now, in the UODO layout' })
  async get(@Query() q: RegisterQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const r = await this.register.generate(q.role ?? 'controller', q.lang ?? 'pl');
    void reply.header('cache-control', 'no-store').header('content-language', r.lang);
    switch (q.format ?? 'json') {
      case 'json':
        return r satisfies RegisterResponse;
      case 'jsonld':
        void reply.header('content-type', 'application/ld+json; charset=utf-8');
        return JSON.stringify(toJsonLd(r));
      case 'csv':
        void reply
          .header('content-type', 'text/csv; charset=utf-8; header=present')
          .header('content-disposition', attachment(fileName(r, 'csv')));
        return toCsv(r);
      case 'xlsx':
        void reply.header('content-type', XLSX).header('content-disposition', attachment(fileName(r, 'xlsx')));
        return toXlsx(r);
      case 'html':
        void reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('content-disposition', `inline; filename="${fileName(r, 'html')}"`);
        return toHtml(r);
      case 'pdf':
        void reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', attachment(fileName(r, 'pdf')));
        return toPdf(r, { regular: this.env.PDF_FONT_PATH, bold: this.env.PDF_FONT_BOLD_PATH });
    }
  }

  @Get('changes')
  @ApiOkResponse({ type: RegisterChangesResponse })
  @RequireScopes('register:read')
  @ApiOperation({ summary: 'What changed since the DPO last signed off, with who changed it and when' })
  changes(@Query() q: RegisterChangesQuery) {
    return this.register.changes(q.role ?? 'controller', q.lang ?? 'pl');
  }

  @Get('versions')
  @ApiOkResponse({ type: RegisterVersionList })
  @RequireScopes('register:read')
  @ApiOperation({ summary: 'Signed-off versions, newest first (without their snapshots)' })
  async versions(@Query() q: RegisterChangesQuery): Promise<RegisterVersionList> {
    return { items: await this.register.versions(q.role ?? 'controller') };
  }

  @Post('sign-off')
  @ApiCreatedResponse({ type: SignOffResponse })
  @Idempotent<RegisterController, SignOffResponse>({
    ref: (b) => ({ role: b.role, version: b.version }),
    replay: (c, r) => c.register.signedOff(r.role as RegisterRole, Number(r.version)),
  })
  @HttpCode(201)
  @RequireScopes('register:write')
  @ApiOperation({ summary: 'The DPO signs off the register as generated now; a new version is stored' })
  signOff(@Body() dto: SignOffDto) {
    return this.register.signOff(dto.role ?? 'controller', dto.note ?? null);
  }

  @Put('activities/:key')
  @ApiOkResponse({ type: ActivityDetailsResponse })
  @RequireScopes('register:write')
  @ApiOperation({ summary: 'Organisational unit, data source, DPIA and security details of one activity (a purpose)' })
  putActivity(@Param('key') key: string, @Body() dto: ActivityDetailsDto) {
    return this.register.putActivityDetails(key, dto);
  }
}

@ApiTags('register')
@Controller('v1/settings/controller')
export class ControllerSettingsController {
  constructor(private readonly settings: ControllerSettingsService) {}

  @Get()
  @ApiOkResponse({ type: ControllerSettingsResponse })
  @RequireScopes('register:read')
  @ApiOperation({ summary: 'Controller, DPO, representative and joint controllers, with the fallbacks applied' })
  get(): Promise<ControllerSettingsResponse> {
    return this.settings.effective();
  }

  @Put()
  @ApiOkResponse({ type: ControllerSettingsResponse })
  @RequireScopes('register:write')
  @ApiOperation({ summary: 'Replace the controller block of the register (Art. 30(1)(a)); audited' })
  put(@Body() dto: ControllerSettingsDto): Promise<ControllerSettingsResponse> {
    return this.settings.put(dto);
  }
}
