import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { ProblemError } from '../common/problem/problem.error';
import { Target } from './consent-draft';
import { ConsentImport } from './consent-import.entity';
import { csvRecords, mapRecord } from './csv-records';
import { GrantConsentByIdentifierDto } from './grant-consent.dto';
import { inlineText, textKey, TextRef } from './import-texts.service';
import { ImportsRepository } from './imports.repository';

/* The rows of an import file (issue 14 item 1): read from the stored pieces, checked one by one. */

/** An agreement older than the text it names: the import can bring the words shown then (docs/consent.md). */
const hint = (field: string, message: string) =>
  field === 'occurredAt' && message.includes('before this text version')
    ? `${message}; give the words shown then as text { locale, title, body } on the row or in defaults`
    : message;

export type RowInput = Record<string, unknown> | 'invalid_json' | 'skip';

export interface Prepared {
  /** The row's place in its batch. */
  i: number;
  /** Its number in the file (NDJSON: the line; CSV: the record after the header). */
  n: number;
  dto: GrantConsentByIdentifierDto;
  target: Target;
  /** The row's identity: a second import of it writes nothing (issue 14 item 1). */
  key: string;
}

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

/** A refusal by the rules (4xx) as the row's errors, by field; anything else is not the row's fault. */
export function problemRows(e: unknown): { field: string; code: string; message: string }[] | null {
  if (!(e instanceof ProblemError) || e.status >= 500) return null;
  const fieldErrors = (e.extras.errors as { field: string; message: string }[] | undefined) ?? [];
  return fieldErrors.length
    ? fieldErrors.map((f) => ({ field: f.field, code: e.code, message: hint(f.field, f.message) }))
    : [{ field: '(row)', code: e.code, message: e.message }];
}

/** Runs `fn`; the row's errors when the rules refuse it, else undefined. */
export function rowErrors(fn: () => unknown): { field: string; code: string; message: string }[] | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    const refused = problemRows(e);
    if (refused) return refused;
    throw e;
  }
}

/** A person created by an import is addressed in the language of the text they agreed to, where Zgoda has it. */
export const subjectLocale = (locale: string): { locale?: 'pl' | 'en' } =>
  locale.startsWith('en') ? { locale: 'en' } : locale.startsWith('pl') ? { locale: 'pl' } : {};

export type RowOutcome = 'imported' | 'skipped' | { field: string; code: string; message: string }[];

const flatten = (errors: ValidationError[], prefix = ''): { field: string; code: string; message: string }[] =>
  errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, code: 'invalid', message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });

/**
 * The file's rows in order, with their number (NDJSON: the line; CSV: the record after the header): an object,
 * `invalid_json`, or `skip` (a CSV value the mapping maps to null).
 */
export async function* importInputs(
  repo: ImportsRepository,
  imp: ConsentImport,
): AsyncGenerator<{ n: number; input: RowInput }> {
  let n = 0;
  if (imp.format === 'csv') {
    let header: string[] | null = null;
    for await (const record of csvRecords(pieces(repo, imp.id))) {
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
  for await (const line of lines(repo, imp.id)) {
    n += 1;
    if (line.trim()) yield { n, input: parseObject(line) };
  }
}

async function* lines(repo: ImportsRepository, importId: string): AsyncGenerator<string> {
  let rest = '';
  for await (const piece of pieces(repo, importId)) {
    const parts = (rest + piece).split('\n');
    rest = parts.pop()!;
    for (const p of parts) yield p.replace(/\r$/, '');
  }
  if (rest) yield rest;
}

/** The file as text, one stored piece in memory at a time (UTF-8 sequences split across pieces kept whole). */
async function* pieces(repo: ImportsRepository, importId: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for (let n = 0; ; n++) {
    const chunk = await repo.chunk(importId, n);
    if (!chunk) break;
    yield decoder.write(chunk.data);
  }
  const end = decoder.end();
  if (end) yield end;
}

/** A row's own checks: its fields valid, its inline text found, its identity computed; or why not. */
export async function checkRow(
  imp: ConsentImport,
  input: RowInput,
  texts: Map<string, TextRef>,
): Promise<Omit<Prepared, 'i' | 'n' | 'target'> | { outcome: RowOutcome }> {
  if (input === 'skip') return { outcome: 'skipped' };
  if (input === 'invalid_json') {
    return { outcome: [{ field: '(row)', code: 'invalid_json', message: 'the row is not a JSON object' }] };
  }
  const row = { ...imp.defaults, ...input };
  let assumed = false;
  if (row.occurredAt === undefined) {
    return {
      outcome: [
        {
          field: 'occurredAt',
          code: 'required',
          message: 'an imported row needs occurredAt (when it was expressed)',
        },
      ],
    };
  }
  if (row.text !== undefined) {
    const text = inlineText(row);
    if (!text) return { outcome: [{ field: 'text', code: 'invalid', message: 'text needs locale, title and body' }] };
    const ref = texts.get(textKey(String(row.purpose), text.body));
    // A dry run creates no text: the row is checked as if it named one.
    assumed = !ref && imp.dryRun;
    const named = ref ?? (assumed ? { version: 1, locale: text.locale } : null);
    if (!named)
      return { outcome: [{ field: 'purpose', code: 'unknown_purpose', message: 'no purpose with this key' }] };
    delete row.text;
    row.version = named.version;
    row.locale = named.locale;
  }
  const { externalEventId, ...fields } = row;
  const dto = plainToInstance(GrantConsentByIdentifierDto, fields);
  // Synchronous: the row DTO has no async constraints, and a promise per constraint per row cost an import
  // about half its validation time.
  const invalid = flatten(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
  if (invalid.length) return { outcome: invalid };
  const ref = dto.subject;
  if (!ref.email && !ref.phone && !ref.externalId) {
    return {
      outcome: [
        { field: 'subject', code: 'validation_failed', message: 'subject needs an email, phone or externalId' },
      ],
    };
  }
  if (assumed) return { outcome: 'imported' };
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
  return { dto, key };
}
