export type Cell = string | number | boolean | null | undefined | object;
export type Row = Record<string, Cell>;

/**
 * Rows of one data category, whatever shape a system sent: a list of objects, one object, or a value.
 * Nested values are kept as JSON text in their cell rather than dropped (Art. 15(3): a complete copy).
 */
export function rowsOf(value: unknown): Row[] {
  if (Array.isArray(value)) return value.map((v) => (isRecord(v) ? v : { value: v as Cell }));
  if (isRecord(value)) return [value];
  if (value === undefined) return [];
  return [{ value: value as Cell }];
}

/**
 * RFC 4180 CSV, UTF-8 with a byte-order mark (so a spreadsheet opened with a double click reads Polish letters
 * right, issue 13 item 9), CRLF, a header row with the union of the rows' fields in first-seen order.
 */
export function toCsv(rows: Row[]): string {
  const headers: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!headers.includes(k)) headers.push(k);
  const lines = [headers.map(field).join(',')];
  for (const r of rows) lines.push(headers.map((h) => field(r[h])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function field(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function isRecord(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** A file name from a category or system key: letters, digits, `_` and `-` only. */
export const safeName = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80) || '_';
