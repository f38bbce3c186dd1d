import { writeCsv } from '../common/csv/csv-writer';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { requestContext } from '../common/context/request-context';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { OutboxService } from '../outbox';
import { ConsentImport } from './consent-import.entity';
import type { CsvMapping } from './csv-records';
import { ImportsRepository } from './imports.repository';

// 1 MiB pieces: small enough to hold one in memory, large enough that a 2 GiB file is 2,048 rows.
const CHUNK_BYTES = 1024 * 1024;
const ERRORS_PAGE = 1000;

export const importView = (i: ConsentImport) => ({
  id: i.id,
  format: i.format,
  status: i.status,
  dryRun: i.dryRun,
  size: i.size === null ? null : Number(i.size),
  rows: { read: i.rowsRead, imported: i.rowsImported, skipped: i.rowsSkipped, failed: i.rowsFailed },
  createdAt: i.createdAt.toISOString(),
  startedAt: i.startedAt?.toISOString() ?? null,
  finishedAt: i.finishedAt?.toISOString() ?? null,
});

/** Issue 14 item 1, the API side of an import: create it, take its file (streamed), show it, cancel it. */
@Injectable()
export class ImportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ImportsRepository,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  async create(input: {
    format: 'ndjson' | 'csv';
    mapping: CsvMapping | null;
    dryRun: boolean;
    defaults: Record<string, unknown>;
  }): Promise<ConsentImport> {
    if (input.format === 'csv' && !input.mapping) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'mapping', message: 'a CSV import needs a mapping of its columns' }],
      });
    }
    const p = requestContext.get()?.principal;
    const id = randomUUID();
    await this.repo.insert({
      id,
      format: input.format,
      mapping: input.format === 'csv' ? input.mapping : null,
      status: 'awaiting_file',
      dryRun: input.dryRun,
      defaults: input.defaults,
      createdBy: p ? `${p.kind}:${p.id}` : 'system:zgoda',
    });
    return (await this.repo.find(id))!;
  }

  recent(limit: number): Promise<ConsentImport[]> {
    return this.repo.recent(limit);
  }

  async get(id: string): Promise<ConsentImport> {
    const row = await this.repo.find(id);
    if (!row) throw new ProblemError('import_not_found', 'No import with this id.');
    return row;
  }

  /**
   * Stores the file piece by piece as it arrives (each piece its own short statement: an upload of gigabytes
   * holds no transaction open), then queues the job with the status change. Over IMPORT_MAX_BYTES: 413, and
   * nothing is kept.
   */
  async upload(id: string, body: Readable, contentType: string): Promise<ConsentImport> {
    const row = await this.get(id);
    if (!contentType.startsWith(row.format === 'csv' ? 'text/csv' : 'application/x-ndjson')) {
      body.resume();
      throw new ProblemError(
        'unsupported_media_type',
        `This import takes ${row.format === 'csv' ? 'text/csv' : 'application/x-ndjson'}.`,
      );
    }
    if (row.status !== 'awaiting_file') {
      body.resume();
      throw new ProblemError('import_not_awaiting_file', 'This import already has its file.', {
        currentStatus: row.status,
      });
    }
    await this.dataSource.transaction((m) => this.repo.deleteChunks(m, id));
    let size = 0;
    let n = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (!pendingBytes) return;
      await this.repo.insertChunk(this.dataSource.manager, id, n++, Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    };
    try {
      for await (const piece of body as AsyncIterable<Buffer>) {
        size += piece.length;
        if (size > this.env.IMPORT_MAX_BYTES) {
          throw new ProblemError('file_too_large', `The file is larger than ${this.env.IMPORT_MAX_BYTES} bytes.`, {
            max: this.env.IMPORT_MAX_BYTES,
          });
        }
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      }
      await flush();
    } catch (e) {
      body.destroy();
      await this.dataSource.transaction((m) => this.repo.deleteChunks(m, id));
      throw e;
    }
    await this.dataSource.transaction(async (m) => {
      const locked = await this.repo.lock(m, id);
      if (!locked || locked.status !== 'awaiting_file') {
        throw new ProblemError('import_not_awaiting_file', 'This import already has its file.');
      }
      await this.repo.update(m, id, { status: 'queued', size: String(size) });
      await this.outbox.enqueue(m, 'imports.run', { importId: id }, { jobId: `import:${id}` });
      await this.audit.append(m, {
        action: 'consent_import.queued',
        targetType: 'consent_import',
        targetId: id,
        data: { size, dryRun: locked.dryRun },
      });
    });
    return this.get(id);
  }

  async cancel(id: string): Promise<ConsentImport> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lock(m, id);
      if (!row) throw new ProblemError('import_not_found', 'No import with this id.');
      if (['completed', 'failed', 'cancelled'].includes(row.status)) return;
      // The runner looks at the status between batches: rows already written stay (each is a true record).
      await this.repo.update(m, id, { status: 'cancelled', finishedAt: new Date() });
      await this.audit.append(m, { action: 'consent_import.cancelled', targetType: 'consent_import', targetId: id });
    });
    return this.get(id);
  }

  /** The row errors as CSV lines (row, field, code, message), a page at a time. */
  async *errorsCsv(id: string): AsyncGenerator<string> {
    await this.get(id);
    yield writeCsv([['row', 'field', 'code', 'message']]);
    for (let after = { row: 0, field: '' }; ;) {
      const rows = await this.repo.errorsAfter(id, after, ERRORS_PAGE);
      // A field name is the uploaded file's own column header: guarded like every cell.
      if (rows.length)
        yield writeCsv(
          rows.map((e) => [e.rowNumber, e.field, e.code, e.message]),
          { bom: false },
        );
      if (rows.length < ERRORS_PAGE) return;
      after = { row: rows[rows.length - 1].rowNumber, field: rows[rows.length - 1].field };
    }
  }
}
