import { stringify } from 'csv-stringify/sync';

// A cell that starts like a formula is run by Excel or LibreOffice when the file is opened (CSV injection): the
// values come from people and from other companies' systems, so every text cell is guarded, in every file.
const FORMULA = /^[=+\-@\t\r]/;

/** A text that would start a formula, kept as text: prefixed with an apostrophe, which spreadsheets hide. */
export const guardFormula = (text: string): string => (FORMULA.test(text) ? `'${text}` : text);

export type CsvCell = string | number | boolean | null | undefined | object;

/**
 * The one CSV writer (issue 25 item 9): RFC 4180 quoting, CRLF, UTF-8 with a byte-order mark (so a spreadsheet
 * opened with a double click reads Polish letters right), every text cell formula-guarded. Objects are written as
 * JSON text in their cell, empty values as empty cells.
 */
export function writeCsv(
  rows: CsvCell[][],
  { delimiter = ',', bom = true }: { delimiter?: ',' | ';'; bom?: boolean } = {},
): string {
  return stringify(rows, {
    // Off for the later pages of a file written a page at a time.
    bom,
    delimiter,
    record_delimiter: 'windows',
    // With CRLF records the library quotes only a CRLF; a bare line break inside a cell must be quoted too.
    quoted_match: /[\r\n]/,
    cast: {
      string: guardFormula,
      boolean: (b) => String(b),
      object: (o) => (o instanceof Date ? o.toISOString() : guardFormula(JSON.stringify(o))),
    },
  });
}
