import { writeCsv } from '../common/csv/csv-writer';
import ExcelJS from 'exceljs';
import { compileTemplate, CompiledTemplate } from '../rendering';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPdf, PdfFonts } from '../common/pdf/markup-pdf';
import { headerBlock, labelsOf } from './register-labels';
import { registerText } from './register-text';
import { DPV_GDPR } from './register-words';
import type { ProcessorEntry, Register, RegisterActivity } from './register.types';

const cellsOf = (r: Register): string[][] => r.activities.map((a) => r.columns.map((c) => a.row[c.key] ?? ''));

/**
 * CSV with a BOM, so Excel reads UTF-8 (ą, ę, ł). Polish Excel splits on semicolons (its list separator),
 * English on commas.
 */
export function toCsv(r: Register): string {
  return writeCsv([r.columns.map((c) => c.header), ...cellsOf(r)], { delimiter: r.lang === 'pl' ? ';' : ',' });
}

const MANDATORY_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFE0B2' } };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE0E0E0' } };
const WIDE = new Set(['purpose', 'erasure', 'security', 'categories', 'transfers', 'legalBasis', 'processors']);

/** The UODO layout: header block, the exact headers in order, frozen under the header row, wrapped text. */
export async function toXlsx(r: Register): Promise<Buffer> {
  const l = labelsOf(r.lang);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Zgoda';
  wb.created = new Date(r.generatedAt);
  const ws = wb.addWorksheet(registerText(r.lang, 'sheet'), {
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = r.columns.map((c) => ({ key: c.key, width: c.key === 'lp' ? 6 : WIDE.has(c.key) ? 48 : 26 }));

  const title = ws.addRow([r.title]);
  title.font = { bold: true, size: 14 };
  for (const { label, value } of headerBlock(r)) {
    const row = ws.addRow([label, value]);
    row.getCell(1).font = { bold: true };
    ws.mergeCells(row.number, 2, row.number, Math.min(r.columns.length, 8));
  }
  const legend = ws.addRow([l.legend]);
  legend.font = { italic: true };
  ws.mergeCells(legend.number, 1, legend.number, Math.min(r.columns.length, 8));

  const head = ws.addRow(r.columns.map((c) => c.header));
  head.font = { bold: true };
  head.eachCell((cell, i) => {
    const col = r.columns[i - 1];
    cell.fill = col.mandatory ? MANDATORY_FILL : HEADER_FILL;
    cell.border = { bottom: { style: 'thin' } };
    if (col.mandatory) cell.note = registerText(r.lang, 'mandatoryColumn');
  });
  for (const cells of cellsOf(r)) {
    const row = ws.addRow(cells);
    row.getCell(1).value = Number(cells[0]);
  }
  for (let i = head.number; i <= ws.rowCount; i++) {
    ws.getRow(i).alignment = { wrapText: true, vertical: 'top' };
  }
  ws.views = [{ state: 'frozen', xSplit: 2, ySplit: head.number, topLeftCell: ws.getCell(head.number + 1, 3).address }];
  ws.autoFilter = { from: { row: head.number, column: 1 }, to: { row: head.number, column: r.columns.length } };

  const gaps = wb.addWorksheet(l.gaps);
  gaps.columns = [
    { header: l.activity, key: 'activity', width: 24 },
    { header: l.column, key: 'column', width: 40 },
    { header: l.severity, key: 'severity', width: 14 },
    { header: l.message, key: 'message', width: 80 },
  ];
  gaps.getRow(1).font = { bold: true };
  for (const g of r.gaps)
    gaps.addRow({ activity: g.activity ?? l.controller, column: g.header, severity: g.severity, message: g.message });
  gaps.views = [{ state: 'frozen', ySplit: 1 }];

  return Buffer.from(await wb.xlsx.writeBuffer());
}

let htmlTemplate: CompiledTemplate | null = null;

/** Printable HTML (landscape A4), from a handlebars template shipped beside this file. */
export function toHtml(r: Register): string {
  htmlTemplate ??= compileTemplate(readFileSync(join(__dirname, 'templates', 'register.html.hbs'), 'utf8'));
  const l = labelsOf(r.lang);
  return htmlTemplate({
    lang: r.lang,
    title: r.title,
    header: headerBlock(r),
    legend: l.legend,
    columns: r.columns,
    rows: cellsOf(r),
    gapsTitle: l.gaps,
    noGaps: l.noGaps,
    gapHeaders: [l.activity, l.column, l.severity, l.message],
    gaps: r.gaps.map((g) => [g.activity ?? l.controller, g.header, g.severity, g.message]),
    hasGaps: r.gaps.length > 0,
  });
}

/**
 * PDF, one block per activity (17 columns do not fit a page as a table). A TrueType font is embedded:
 * the standard PDF fonts have no ą, ę, ł, ń, ś, ź, ż.
 */
export function toPdf(r: Register, fonts: PdfFonts): Promise<Buffer> {
  const { doc, done } = openPdf(fonts, {
    margin: 48,
    info: { Title: r.title, Author: r.controller.name, Creator: 'Zgoda' },
    lang: r.lang,
  } as PDFKit.PDFDocumentOptions);
  const l = labelsOf(r.lang);

  doc.font('bold').fontSize(16).text(r.title);
  doc.moveDown(0.5);
  for (const { label, value } of headerBlock(r)) {
    doc.font('bold').fontSize(9).text(`${label}: `, { continued: true }).font('regular').text(value);
  }
  doc.moveDown(0.3).font('regular').fontSize(8).fillColor('#555').text(l.legend).fillColor('#000');

  for (const a of r.activities) {
    doc.moveDown(1);
    doc.font('bold').fontSize(12).text(`${a.lp}. ${a.name}`);
    for (const c of r.columns.filter((c) => c.key !== 'lp' && c.key !== 'name')) {
      const value = a.row[c.key] || '—';
      doc
        .moveDown(0.2)
        .font('bold')
        .fontSize(8.5)
        .fillColor(c.mandatory ? '#8a4b00' : '#333')
        .text(c.header);
      doc.font('regular').fontSize(9).fillColor('#000').text(value);
    }
  }
  doc.moveDown(1).font('bold').fontSize(12).text(l.gaps);
  if (!r.gaps.length) doc.font('regular').fontSize(9).text(l.noGaps);
  for (const g of r.gaps) {
    doc
      .font('regular')
      .fontSize(9)
      .text(`${g.activity ?? l.controller} · ${g.header} (${g.severity}): ${g.message}`);
  }
  doc.end();
  return done;
}

const DPV = 'https://w3id.org/dpv#';
const titled = (type: string) => (t: string) => ({ '@type': type, 'dct:title': t });
const agent = (type: string) => (p: { name: string; contact: string | null }) => ({
  '@type': type,
  'dpv:hasName': p.name,
  ...(p.contact ? { 'dpv:hasContact': p.contact } : {}),
});

/** JSON-LD with W3C DPV terms, legal bases as `eu-gdpr:A6-1-a` IRIs of DPV's GDPR extension. */
export function toJsonLd(r: Register): Record<string, unknown> {
  const c = r.controller;
  const base = `urn:zgoda:register:${r.role}`;
  return {
    '@context': {
      dpv: DPV,
      'eu-gdpr': DPV_GDPR,
      dct: 'http://purl.org/dc/terms/',
      rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
      zgoda: 'urn:zgoda:vocab:',
      '@language': r.lang,
    },
    '@id': base,
    '@type': 'dpv:RecordsOfActivities',
    'dct:title': r.title,
    'dct:conformsTo': { '@id': r.role === 'controller' ? 'eu-gdpr:A30-1' : 'eu-gdpr:A30-2' },
    'dct:created': r.generatedAt,
    ...(r.version.lastUpdatedAt ? { 'dct:modified': r.version.lastUpdatedAt } : {}),
    ...(r.version.signedOffVersion !== null ? { 'dct:hasVersion': String(r.version.signedOffVersion) } : {}),
    [r.role === 'controller' ? 'dpv:hasDataController' : 'dpv:hasDataProcessor']: {
      ...agent(r.role === 'controller' ? 'dpv:DataController' : 'dpv:DataProcessor')({
        name: c.name,
        contact: c.contact,
      }),
      ...(c.address ? { 'dpv:hasAddress': c.address } : {}),
      'dpv:hasDataProtectionOfficer': agent('dpv:DataProtectionOfficer')(c.dpo),
      ...(c.representative ? { 'dpv:hasRepresentative': agent('dpv:Representative')(c.representative) } : {}),
    },
    'dct:hasPart': r.activities.map((a) =>
      r.role === 'controller' ? activityLd(base, a as RegisterActivity) : processorLd(base, a as ProcessorEntry),
    ),
    'zgoda:gaps': r.gaps.map((g) => ({
      'zgoda:activity': g.activity,
      'zgoda:column': g.column,
      'zgoda:severity': g.severity,
      'dct:description': g.message,
    })),
  };
}

function activityLd(base: string, a: RegisterActivity): Record<string, unknown> {
  return {
    '@id': `${base}:${a.key}`,
    '@type': 'dpv:Process',
    'dct:identifier': a.key,
    'dct:title': a.name,
    'dpv:hasPurpose': { '@type': 'dpv:Purpose', 'dct:description': a.purpose },
    'dpv:hasLegalBasis': a.legalBasis.iris.map((iri) => ({ '@id': iri })),
    'dpv:hasPersonalData': a.dataCategories.map(
      titled(a.specialCategoryData ? 'dpv:SpecialCategoryPersonalData' : 'dpv:PersonalData'),
    ),
    'dpv:hasDataSubject': a.subjectCategories.map(titled('dpv:DataSubject')),
    'dpv:hasRecipient': a.recipients.map(titled('dpv:Recipient')),
    'dpv:hasDataProcessor': a.processors.map(agent('dpv:DataProcessor')),
    'dpv:hasJointDataControllers': a.jointControllers.map(agent('dpv:JointDataControllers')),
    'dpv:hasStorageCondition': a.plannedErasure.map((e) => ({
      '@type': 'dpv:StorageDuration',
      'dpv:hasDuration': { '@type': 'dpv:Duration', 'rdf:value': e.period },
      'dct:description': e.text,
    })),
    'dpv:hasTechnicalOrganisationalMeasure': {
      '@type': 'dpv:TechnicalOrganisationalMeasure',
      'dct:description': a.securityMeasures,
    },
    ...(a.dpiaReference
      ? { 'dpv:hasOrganisationalMeasure': { '@type': 'dpv:DPIA', 'dct:identifier': a.dpiaReference } }
      : {}),
    ...(a.organisationalUnit ? { 'zgoda:organisationalUnit': a.organisationalUnit } : {}),
    ...(a.dataSource ? { 'zgoda:dataSource': a.dataSource } : {}),
    'zgoda:systems': a.systems.map((s) => s.name),
    'zgoda:transfers': a.transfers.map((t) => ({ 'dct:description': t.destination, 'zgoda:safeguards': t.safeguards })),
  };
}

function processorLd(base: string, e: ProcessorEntry): Record<string, unknown> {
  return {
    '@id': `${base}:${e.key}`,
    '@type': 'dpv:Process',
    'dct:title': e.name,
    'dct:description': e.row.categories,
    'dpv:hasDataController': {
      ...agent('dpv:DataController')(e.controller),
      ...(e.dpo ? { 'dpv:hasDataProtectionOfficer': agent('dpv:DataProtectionOfficer')(e.dpo) } : {}),
      ...(e.representative ? { 'dpv:hasRepresentative': agent('dpv:Representative')(e.representative) } : {}),
    },
    'zgoda:purposes': e.purposes,
    'zgoda:systems': e.systems.map((s) => s.name),
    'zgoda:transfers': e.row.transfers,
  };
}
