import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { ProblemError } from '../problem/problem.error';

/**
 * Lays out line markup (the `*.pdf.hbs` templates: the UODO report, the erasure certificate) as an A4 PDF:
 * `# ` title, `> ` note, `## ` section, `: ` field label, `! ` missing-value warning, anything else a value.
 * Values from the model pass `escapePdfMarkup` first, so text a user typed can never become a heading.
 */
export interface PdfFonts {
  regular: string;
  bold: string;
}

const MARKUP = /^[#>:!\\]/;

/** Every string in the model, line by line: a line that would read as markup gets a `\` the layout drops. */
export function escapePdfMarkup<T>(value: T): T {
  if (typeof value === 'string') {
    return value
      .split(/\r?\n/)
      .map((line) => (MARKUP.test(line) ? `\\${line}` : line))
      .join('\n') as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => escapePdfMarkup(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapePdfMarkup(v)])) as T;
  }
  return value;
}

/**
 * An A4 document with the `regular` and `bold` fonts registered, and the promise of its bytes once `doc.end()` is
 * called (the UODO report, certificates, the register). 503 when the fonts are not installed.
 */
export function openPdf(
  fonts: PdfFonts,
  options: PDFKit.PDFDocumentOptions,
): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  if (!existsSync(fonts.regular) || !existsSync(fonts.bold)) {
    throw new ProblemError(
      'service_unavailable',
      'The PDF font is not installed; set PDF_FONT_PATH and PDF_FONT_BOLD_PATH.',
    );
  }
  const doc = new PDFDocument({ size: 'A4', ...options });
  // A TrueType font with Latin Extended-A: the standard PDF fonts cannot show ą, ę, ł, ń, ó, ś, ź, ż.
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

export function renderMarkupPdf(
  markup: string,
  fonts: PdfFonts,
  meta: { title: string; subject: string; lang?: string },
): Promise<Buffer> {
  const { doc, done } = openPdf(fonts, {
    margins: { top: 56, bottom: 56, left: 56, right: 56 },
    lang: meta.lang ?? 'pl-PL',
    displayTitle: true,
    info: { Title: meta.title, Subject: meta.subject, Creator: 'Zgoda' },
  });

  for (const raw of markup.split('\n')) {
    const line = raw.trimEnd();
    if (!line) continue;
    if (line.startsWith('## ')) {
      doc.moveDown(0.8).font('bold').fontSize(12.5).fillColor('#000').text(line.slice(3));
      const y = doc.y + 2;
      doc
        .moveTo(doc.page.margins.left, y)
        .lineTo(doc.page.width - doc.page.margins.right, y)
        .lineWidth(0.5)
        .strokeColor('#999')
        .stroke();
      doc.moveDown(0.3);
    } else if (line.startsWith('# ')) {
      doc.font('bold').fontSize(15).fillColor('#000').text(line.slice(2));
      doc.moveDown(0.4);
    } else if (line.startsWith('> ')) {
      doc.font('regular').fontSize(9).fillColor('#555').text(line.slice(2));
    } else if (line.startsWith(': ')) {
      doc.moveDown(0.35).font('bold').fontSize(10).fillColor('#000').text(line.slice(2));
    } else if (line.startsWith('! ')) {
      doc.font('regular').fontSize(10).fillColor('#a00').text(line.slice(2));
    } else {
      doc
        .font('regular')
        .fontSize(10)
        .fillColor('#111')
        .text(line.startsWith('\\') ? line.slice(1) : line);
    }
  }
  doc.end();
  return done;
}
