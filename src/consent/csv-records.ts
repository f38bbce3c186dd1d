/**
 * RFC 4180 records from text arriving in pieces: quoted fields may hold commas, doubled quotes and line breaks,
 * and a piece may end anywhere (inside a quote, between CR and LF). Only one record is held at a time.
 */
export async function* csvRecords(pieces: AsyncIterable<string>): AsyncGenerator<string[]> {
  let field = '';
  let record: string[] = [];
  let quoted = false;
  // After a closing quote: the next character decides (another quote is an escaped one).
  let quoteEnded = false;
  let sawAny = false;
  for await (const piece of pieces) {
    for (let i = 0; i < piece.length; i++) {
      const c = piece[i];
      sawAny = true;
      if (quoted) {
        if (c === '"') {
          quoted = false;
          quoteEnded = true;
        } else field += c;
        continue;
      }
      if (quoteEnded && c === '"') {
        // "" inside a quoted field.
        field += '"';
        quoted = true;
        quoteEnded = false;
        continue;
      }
      quoteEnded = false;
      if (c === '"' && field === '') quoted = true;
      else if (c === ',') {
        record.push(field);
        field = '';
      } else if (c === '\n') {
        record.push(field.endsWith('\r') ? field.slice(0, -1) : field);
        yield record;
        record = [];
        field = '';
      } else field += c;
    }
  }
  if (sawAny && (field !== '' || record.length)) {
    record.push(field.endsWith('\r') ? field.slice(0, -1) : field);
    yield record;
  }
}

export interface CsvMapping {
  /** CSV column name → row field path (`subject.email`, `decision`, `occurredAt`, `evidence.ip`, ...). */
  columns: Record<string, string>;
  /** Row field path → CSV value → value to use; `null` skips the row (e.g. a newsletter tool's `cleaned`). */
  values?: Record<string, Record<string, string | null>>;
}

/** One record as a row object by the mapping; `skip` when a value map says so; null values and empty cells left out. */
export function mapRecord(header: string[], record: string[], mapping: CsvMapping): Record<string, unknown> | 'skip' {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const path = mapping.columns[header[i]];
    if (!path || record[i] === undefined || record[i] === '') continue;
    let value: string | null = record[i];
    const map = mapping.values?.[path];
    if (map && value in map) {
      value = map[value];
      if (value === null) return 'skip';
    }
    setPath(row, path, value);
  }
  return row;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== 'object' || at[k] === null) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]] = value;
}
