import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { JobHandler } from '../jobs';
import type { JobPayloads } from '../jobs';
import { SubjectLookupService } from '../subjects';
import { ConsentDecision } from './consent.types';
import { ConsentImport } from './consent-import.entity';
import { ConsentsService } from './consents.service';
import { GrantConsentByIdentifierDto } from './grant-consent.dto';
import { csvRecords, mapRecord } from './csv-records';
import { ImportsRepository } from './imports.repository';
import { ImportTexts, inlineText, textKey, TextRef } from './import-texts.service';

const BATCH = 200;

/** An agreement older than the text it names: the import can bring the words shown then (docs/consent.md). */
const hint = (field: string, message: string) =>
  field === 'occurredAt' && message.includes('before this text version')
    ? `${message}; give the words shown then as text { locale, title, body } on the row or in defaults`
    : message;

type RowInput = Record<string, unknown> | 'invalid_json' | 'skip';

function parseObject(line: string): RowInput {
  try {
    const parsed = JSON.parse(line) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : 'invalid_json';
  } catch {
    return 'invalid_json';
  }
}

type RowOutcome = 'imported' | 'skipped' | { field: string; code: string; message: string }[];

const flatten = (errors: ValidationError[], prefix = ''): { field: string; code: string; message: string }[] =>
  errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, code: 'invalid', message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });

/**
 * Job `imports.run` (job id `import:<id>`), issue 14 item 1: works off an import's rows in file order, each
 * through the same recording path as a live decision (the rules, the projection, the feed, the receipt) with
 * its original `occurredAt`, counters and row errors committed per batch of 200. At least once: a re-delivered
 * or resumed job skips the rows it counted, and a row recorded before a crash finds its import key taken.
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger(ImportRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ImportsRepository,
    private readonly consents: ConsentsService,
    private readonly subjects: SubjectLookupService,
    private readonly audit: AuditService,
    private readonly texts: ImportTexts,
  ) {}

  @JobHandler('imports.run')
  async run({ importId }: JobPayloads['imports.run']): Promise<{ outcome: string }> {
    const started = await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lock(m, importId);
      if (!row || (row.status !== 'queued' && row.status !== 'running')) return null;
      await this.repo.update(m, importId, { status: 'running', startedAt: row.startedAt ?? new Date() });
      return row;
    });
    if (!started) return { outcome: 'nothing_to_do' };
    // Texts brought in with the rows first: each is published at the earliest time a row says it was agreed to.
    const texts = started.dryRun ? new Map<string, TextRef>() : await this.texts.bringIn(started, this.inputs(started));
    const counts = {
      read: started.rowsRead,
      imported: started.rowsImported,
      skipped: started.rowsSkipped,
      failed: started.rowsFailed,
    };
    let batch: { n: number; input: RowInput }[] = [];
    let seen = 0;
    for await (const item of this.inputs(started)) {
      // Resumed: the rows counted before are done (each committed with its counters).
      if (++seen <= started.rowsRead) continue;
      batch.push(item);
      if (batch.length >= BATCH) {
        if (!(await this.commit(started, batch, counts, texts))) return { outcome: 'cancelled' };
        batch = [];
      }
    }
    if (batch.length && !(await this.commit(started, batch, counts, texts))) return { outcome: 'cancelled' };
    await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lock(m, importId);
      if (!row || row.status !== 'running') return;
      await this.repo.update(m, importId, { status: 'completed', finishedAt: new Date() });
      await this.audit.append(m, {
        action: 'consent_import.completed',
        targetType: 'consent_import',
        targetId: importId,
        data: { ...counts, dryRun: started.dryRun },
      });
    });
    this.logger.log({ importId, ...counts }, 'consent import completed');
    return { outcome: 'completed' };
  }

  /**
   * The file's rows in order, with their number (NDJSON: the line; CSV: the record after the header): an object,
   * `invalid_json`, or `skip` (a CSV value the mapping maps to null).
   */
  private async *inputs(imp: ConsentImport): AsyncGenerator<{ n: number; input: RowInput }> {
    let n = 0;
    if (imp.format === 'csv') {
      let header: string[] | null = null;
      for await (const record of csvRecords(this.pieces(imp.id))) {
        if (!header) {
          header = record;
          continue;
        }
        n += 1;
        if (record.length === 1 && record[0] === '') continue;
        yield { n, input: mapRecord(header, record, imp.mapping ?? { columns: {} }) };
      }
      return;
    }
    for await (const line of this.lines(imp.id)) {
      n += 1;
      if (line.trim()) yield { n, input: parseObject(line) };
    }
  }

  private async *lines(importId: string): AsyncGenerator<string> {
    let rest = '';
    for await (const piece of this.pieces(importId)) {
      const parts = (rest + piece).split('\n');
      rest = parts.pop()!;
      for (const p of parts) yield p.replace(/\r$/, '');
    }
    if (rest) yield rest;
  }

  /** The file as text, one stored piece in memory at a time (UTF-8 sequences split across pieces kept whole). */
  private async *pieces(importId: string): AsyncGenerator<string> {
    const decoder = new StringDecoder('utf8');
    for (let n = 0; ; n++) {
      const chunk = await this.repo.chunk(importId, n);
      if (!chunk) break;
      yield decoder.write(chunk.data);
    }
    const end = decoder.end();
    if (end) yield end;
  }

  /** Records one batch and its counters; false when the import was cancelled meanwhile (nothing more is done). */
  private async commit(
    imp: ConsentImport,
    batch: { n: number; input: RowInput }[],
    counts: { read: number; imported: number; skipped: number; failed: number },
    texts: Map<string, TextRef>,
  ): Promise<boolean> {
    const current = await this.repo.find(imp.id);
    if (current?.status !== 'running') return false;
    const errors: { importId: string; rowNumber: number; field: string; code: string; message: string }[] = [];
    for (const { n, input } of batch) {
      const outcome = await this.row(imp, input, texts);
      counts.read += 1;
      if (outcome === 'imported') counts.imported += 1;
      else if (outcome === 'skipped') counts.skipped += 1;
      else {
        counts.failed += 1;
        errors.push(...outcome.map((e) => ({ importId: imp.id, rowNumber: n, ...e })));
      }
    }
    await this.dataSource.transaction(async (m) => {
      await this.repo.insertErrors(m, errors);
      await this.repo.update(m, imp.id, {
        rowsRead: counts.read,
        rowsImported: counts.imported,
        rowsSkipped: counts.skipped,
        rowsFailed: counts.failed,
      });
    });
    return true;
  }

  private async row(imp: ConsentImport, input: RowInput, texts: Map<string, TextRef>): Promise<RowOutcome> {
    if (input === 'skip') return 'skipped';
    if (input === 'invalid_json') {
      return [{ field: '(row)', code: 'invalid_json', message: 'the row is not a JSON object' }];
    }
    const row = { ...imp.defaults, ...input };
    if (row.occurredAt === undefined) {
      return [
        { field: 'occurredAt', code: 'required', message: 'an imported row needs occurredAt (when it was expressed)' },
      ];
    }
    if (row.text !== undefined) {
      const text = inlineText(row);
      if (!text) return [{ field: 'text', code: 'invalid', message: 'text needs locale, title and body' }];
      const ref = texts.get(textKey(String(row.purpose), text.body));
      // A dry run creates no text: the row is checked as if it named one.
      const named = ref ?? (imp.dryRun ? { version: 1, locale: text.locale } : null);
      if (!named) return [{ field: 'purpose', code: 'unknown_purpose', message: 'no purpose with this key' }];
      delete row.text;
      row.version = named.version;
      row.locale = named.locale;
    }
    const { externalEventId, ...fields } = row;
    const dto = plainToInstance(GrantConsentByIdentifierDto, fields);
    const invalid = flatten(await validate(dto, { whitelist: true, forbidNonWhitelisted: true }));
    if (invalid.length) return invalid;
    const ref = dto.subject;
    // LEGAL item 7: a contact that was erased or objected stays suppressed when it comes back in an import.
    if (dto.decision === ConsentDecision.Granted) {
      const suppressed =
        (ref.email && (await this.subjects.isSuppressed('email', ref.email))) ||
        (ref.phone && (await this.subjects.isSuppressed('phone', ref.phone)));
      if (suppressed)
        return [{ field: 'subject', code: 'suppressed', message: 'the contact is on the suppression list' }];
    }
    const key =
      typeof externalEventId === 'string' && externalEventId
        ? `ext:${externalEventId}`
        : `row:${createHash('sha256')
            .update(
              JSON.stringify([
                ref.externalId ?? null,
                ref.email ?? null,
                ref.phone ?? null,
                dto.purpose,
                dto.channel,
                dto.decision,
                new Date(dto.occurredAt!).toISOString(),
              ]),
            )
            .digest('hex')}`;
    if (imp.dryRun) return 'imported';
    try {
      await this.consents.recordByIdentifier(dto, false, { key });
      return 'imported';
    } catch (e) {
      if (e instanceof ProblemError && e.code === 'already_imported') return 'skipped';
      if (e instanceof ProblemError && e.status < 500) {
        const fieldErrors = (e.extras.errors as { field: string; message: string }[] | undefined) ?? [];
        return fieldErrors.length
          ? fieldErrors.map((f) => ({ field: f.field, code: e.code, message: hint(f.field, f.message) }))
          : [{ field: '(row)', code: e.code, message: e.message }];
      }
      // A fault of ours or of the database: the job is retried and resumes at the last committed batch.
      throw e;
    }
  }
}
