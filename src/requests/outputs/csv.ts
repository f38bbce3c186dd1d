import { writeCsv } from '../../common/csv/csv-writer';

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

/** The rows as CSV (`writeCsv`), with a header row of the union of the rows' fields in first-seen order. */
export function toCsv(rows: Row[]): string {
  const headers: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!headers.includes(k)) headers.push(k);
  // The values come from other companies' systems: the writer guards every text cell against formulas.
  return writeCsv([headers, ...rows.map((r) => headers.map((h) => r[h]))]);
}

function isRecord(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** A file name from a category or system key: letters, digits, `_` and `-` only. */
export const safeName = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80) || '_';
