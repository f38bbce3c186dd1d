import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { Idempotent } from '../idempotency';
import { importView, ImportsService } from './imports.service';

export class CreateImportDto {
  @ApiPropertyOptional({ enum: ['ndjson'], default: 'ndjson', description: 'One consent event per line (CSV: next)' })
  @IsOptional()
  @IsIn(['ndjson'])
  format?: 'ndjson';

  @ApiPropertyOptional({ default: false, description: 'Check and count every row, write nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({
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
  @Idempotent()
  @ApiOperation({ summary: 'Start an import of existing consent history; then PUT its file' })
  async create(@Body() dto: CreateImportDto) {
    return importView(await this.imports.create({ dryRun: dto.dryRun ?? false, defaults: dto.defaults ?? {} }));
  }

  @Put(':id/file')
  @HttpCode(202)
  @RequireScopes('imports:write')
  @ApiConsumes('application/x-ndjson')
  @ApiOperation({ summary: 'The file, as the raw body (streamed, up to IMPORT_MAX_BYTES); queues the import' })
  async file(@Param('id', new ParseUUIDPipe()) id: string, @Req() req: FastifyRequest) {
    if (!(req.body instanceof Readable)) {
      throw new ProblemError('unsupported_media_type', 'Send the file as application/x-ndjson.');
    }
    return importView(await this.imports.upload(id, req.body));
  }

  @Get(':id')
  @RequireScopes('imports:write')
  @ApiOperation({ summary: 'Status and counters: rows read, imported, skipped (already imported), failed' })
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    return importView(await this.imports.get(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScopes('imports:write')
  @ApiOperation({ summary: 'Stop after the batch in progress; rows already recorded stay' })
  async cancel(@Param('id', new ParseUUIDPipe()) id: string) {
    return importView(await this.imports.cancel(id));
  }

  @Get(':id/errors')
  @RequireScopes('imports:write')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Row errors as CSV: row, field, code, message (never the value)' })
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
