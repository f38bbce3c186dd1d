import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import Busboy from 'busboy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { CreateImportDto, importView, ImportsService } from '../consent';
import { formatDateTime } from '../rendering';
import { CSRF_FIELD, CsrfProtected, CsrfService } from '../web';
import { ConsolePage } from './console-error.filter';
import { asDto, FieldErrors, fieldErrors, invalidField, noErrors } from './console-forms';
import { act, Form, Id, isRefusal } from './console-pages';
import { ConsoleView, redirect } from './console-view';

const FIELDS = ['format', 'mapping', 'defaults'] as const;
const MEDIA = { csv: 'text/csv', ndjson: 'application/x-ndjson' } as const;

/**
 * Bringing a company's consent history in from the console: start an import (its format, a CSV's column mapping,
 * a dry run), upload its file, follow its counters, cancel it, download the rows it could not take. The work is
 * the API's: ImportsService stores the file as it arrives and the worker imports it.
 */
@ConsolePage()
@Controller('console/imports')
@RequireScopes('imports:write')
export class ConsoleImportsController {
  constructor(
    private readonly view: ConsoleView,
    private readonly imports: ImportsService,
    private readonly csrf: CsrfService,
  ) {}

  @Get()
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.listPage(req, reply, {}, noErrors(FIELDS)));
  }

  @Post()
  @CsrfProtected()
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    try {
      const dto = await asDto(CreateImportDto, {
        ...(b.format ? { format: b.format } : {}),
        ...(b.format === 'csv' ? { mapping: json(b.mapping, 'mapping') } : {}),
        ...(String(b.defaults ?? '').trim() ? { defaults: json(b.defaults, 'defaults') } : {}),
        dryRun: b.dryRun === 'yes',
      });
      if (!dto.format) throw invalidField('format');
      const created = await this.imports.create({
        format: dto.format,
        mapping: dto.mapping ?? null,
        dryRun: dto.dryRun ?? false,
        defaults: dto.defaults ?? {},
      });
      redirect(reply, `/console/imports/${created.id}`);
    } catch (e) {
      const errors = fieldErrors(this.view, this.view.lang(req, reply), FIELDS, e);
      if (!errors) throw e;
      void reply.send(await this.listPage(req, reply, b, errors, 422));
    }
  }

  @Get(':id')
  async detail(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const lang = this.view.lang(req, reply);
    const i = importView(await this.imports.get(id));
    const title = this.view.t(lang, 'imports.one', { at: formatDateTime(new Date(i.createdAt), lang) });
    void reply.send(
      this.view.render(
        req,
        reply,
        'import',
        {
          title,
          i: { ...i, statusLabel: this.view.t(lang, `importStatus.${i.status}`) },
          awaitingFile: i.status === 'awaiting_file',
          running: i.status === 'queued' || i.status === 'running',
          accept: i.format === 'csv' ? '.csv,text/csv' : '.ndjson,.jsonl,application/x-ndjson',
        },
        { lang, title, wide: false },
      ),
    );
  }

  /**
   * The upload reads the multipart stream itself (form-body.parser.ts hands it over): the CSRF token is the form's
   * first field and is checked before a byte of the file is stored; the file goes to ImportsService as it arrives.
   */
  @Post(':id/file')
  async file(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    const row = await this.imports.get(id);
    if (!(req.body instanceof Readable)) throw new ProblemError('unsupported_media_type', 'Send the file as a form.');
    try {
      await this.receive(req, req.body, (file) => this.imports.upload(id, file, MEDIA[row.format]));
    } catch (e) {
      // A form without its token is a forgery or an expired page: the error page, as any CSRF refusal.
      if (!isRefusal(e) || e.code === 'csrf_failed') throw e;
      return redirect(reply, `/console/imports/${id}?problem=${e.code}`);
    }
    redirect(reply, `/console/imports/${id}?notice=uploaded`);
  }

  @Post(':id/cancel')
  @CsrfProtected()
  async cancel(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, `/console/imports/${id}`, 'importcancelled', () => this.imports.cancel(id));
  }

  @Get(':id/errors.csv')
  async errors(@Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await this.imports.get(id);
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="import-${id}-errors.csv"`)
      .header('cache-control', 'no-store');
    await reply.send(Readable.from(this.imports.errorsCsv(id)));
  }

  private receive(req: FastifyRequest, body: Readable, store: (file: Readable) => Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let verified = false;
      let stored: Promise<unknown> | null = null;
      const parser = Busboy({ headers: req.headers, limits: { files: 1, fields: 5, fieldSize: 1024 } });
      parser.on('field', (name, value) => {
        if (name === CSRF_FIELD) verified = this.csrf.checkToken(req, value);
      });
      parser.on('file', (_name, file) => {
        if (!verified) {
          file.resume();
          return reject(new ProblemError('csrf_failed', 'The form has expired; reload and try again.'));
        }
        stored = store(file);
        // A refused or failed upload stops reading: the rest of the file is drained so the form can finish; the
        // error itself reaches the caller at 'close'.
        stored.catch(() => file.resume());
      });
      parser.on('close', () => {
        if (!stored) return reject(invalidField('file'));
        stored.then(() => resolve(), reject);
      });
      parser.on('error', reject);
      body.pipe(parser);
    });
  }

  private async listPage(req: FastifyRequest, reply: FastifyReply, values: Form, errors: FieldErrors, status = 200) {
    const lang = this.view.lang(req, reply);
    const title = this.view.t(lang, 'imports.title');
    const rows = (await this.imports.recent(50)).map(importView);
    return this.view.render(
      req,
      reply,
      'imports',
      {
        title,
        imports: rows.map((i) => ({ ...i, statusLabel: this.view.t(lang, `importStatus.${i.status}`) })),
        values: {
          mapping: values.mapping ?? '',
          defaults: values.defaults ?? '',
          csv: values.format === 'csv',
          ndjson: values.format === 'ndjson',
          dryRun: values.dryRun === 'yes',
        },
        errors,
      },
      { lang, title, status },
    );
  }
}

/** A JSON field of the form; text that is not JSON is refused with the field named. */
function json(value: unknown, field: string): unknown {
  try {
    return JSON.parse(String(value ?? ''));
  } catch {
    throw invalidField(field);
  }
}
