import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

/** A mapping's targets are field paths (`subject.email`, `occurredAt`), at most three deep. */
@ValidatorConstraint({ name: 'fieldPaths' })
class FieldPaths implements ValidatorConstraintInterface {
  validate(columns: unknown): boolean {
    return (
      typeof columns === 'object' &&
      columns !== null &&
      Object.values(columns).every((v) => typeof v === 'string' && FIELD_PATH.test(v))
    );
  }

  defaultMessage(): string {
    return 'columns must map column names to field paths such as subject.email or occurredAt';
  }
}
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { Idempotent } from '../idempotency';
import { ImportResponse, textContent } from './consent-api.responses';
import { importView, ImportsService } from './imports.service';
import { IMPORT_EXAMPLE, IMPORT_REQUEST_EXAMPLE } from './consent-api.examples';

const FIELD_PATH = /^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*){0,2}$/;

export class CsvMappingDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Column name → field path (subject.email, decision, occurredAt, evidence.ip, ...)',
  })
  @IsObject()
  @Validate(FieldPaths)
  columns: Record<string, string>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string', nullable: true } },
    description: 'Field path → { CSV value → value, or null to skip the row }',
  })
  @IsOptional()
  @IsObject()
  values?: Record<string, Record<string, string | null>>;
}

export class CreateImportDto {
  @ApiPropertyOptional({
    enum: ['ndjson', 'csv'],
    default: 'ndjson',
    description: 'NDJSON: one consent event per line; CSV: one per record, through `mapping`',
  })
  @IsOptional()
  @IsIn(['ndjson', 'csv'])
  format?: 'ndjson' | 'csv';

  @ApiPropertyOptional({
    type: CsvMappingDto,
    description:
      'CSV: `{ columns: { <column>: <field path> }, values?: { <field path>: { <csv value>: <value> | null } } }`; ' +
      'a value mapped to null skips the row',
    example: {
      columns: { email: 'subject.email', status: 'decision', optin_time: 'occurredAt', optin_ip: 'evidence.ip' },
      values: { decision: { subscribed: 'granted', unsubscribed: 'withdrawn', cleaned: null } },
    },
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => CsvMappingDto)
  mapping?: CsvMappingDto;

  @ApiPropertyOptional({ default: false, description: 'Check and count every row, write nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Fields every row gets unless it has its own, e.g. { "locale": "pl", "source": { "method": "import" } }',
  })
  @IsOptional()
  @IsObject()
  defaults?: Record<string, unknown>;
}

@ApiTags('imports')
@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post()
  @RequireScopes('imports:write')
  @Idempotent<ImportsController, ImportResponse>({
    ref: (b) => ({ id: b.id }),
    replay: (c, r) => c.get(String(r.id)),
  })
  @ApiOperation({ summary: 'Start an import of existing consent history; then PUT its file' })
  @ApiBody({ type: CreateImportDto, examples: { mailchimpCsv: { value: IMPORT_REQUEST_EXAMPLE } } })
  @ApiCreatedResponse({ type: ImportResponse, example: IMPORT_EXAMPLE })
  async create(@Body() dto: CreateImportDto) {
    return importView(
      await this.imports.create({
        format: dto.format ?? 'ndjson',
        mapping: dto.mapping ?? null,
        dryRun: dto.dryRun ?? false,
        defaults: dto.defaults ?? {},
      }),
    );
  }

  @Put(':id/file')
  @HttpCode(202)
  @RequireScopes('imports:write')
  @ApiConsumes('application/x-ndjson', 'text/csv')
  @ApiBody({
    required: true,
    schema: { type: 'string', description: 'NDJSON: one consent event per line; CSV: a header, then one per record' },
  })
  @ApiOperation({ summary: 'The file, as the raw body (streamed, up to IMPORT_MAX_BYTES); queues the import' })
  @ApiAcceptedResponse({ type: ImportResponse })
  @ApiConflictResponse({ description: 'Problem code `import_not_awaiting_file`: the import already has its file' })
  async file(@Param('id', new ParseUUIDPipe()) id: string, @Req() req: FastifyRequest) {
    if (!(req.body instanceof Readable)) {
      throw new ProblemError('unsupported_media_type', 'Send the file as application/x-ndjson or text/csv.');
    }
    return importView(await this.imports.upload(id, req.body, String(req.headers['content-type'] ?? '')));
  }

  @Get(':id')
  @RequireScopes('imports:write')
  @ApiOperation({ summary: 'Status and counters: rows read, imported, skipped (already imported), failed' })
  @ApiOkResponse({ type: ImportResponse })
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    return importView(await this.imports.get(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScopes('imports:write')
  @ApiOperation({ summary: 'Stop after the batch in progress; rows already recorded stay' })
  @ApiOkResponse({ type: ImportResponse })
  async cancel(@Param('id', new ParseUUIDPipe()) id: string) {
    return importView(await this.imports.cancel(id));
  }

  @Get(':id/errors')
  @RequireScopes('imports:write')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Row errors as CSV: row, field, code, message (never the value)' })
  @ApiOkResponse(textContent('text/csv', 'row,field,code,message (UTF-8 with BOM)'))
  async errors(@Param('id', new ParseUUIDPipe()) id: string, @Res() reply: FastifyReply): Promise<void> {
    const lines = this.imports.errorsCsv(id);
    const first = await lines.next();
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="import-${id}-errors.csv"`);
    await reply.send(
      Readable.from(
        (async function* () {
          if (!first.done) yield first.value;
          yield* lines;
        })(),
      ),
    );
  }
}
