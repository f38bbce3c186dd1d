import { compileTemplate, CompiledTemplate, formatDateTime, message } from '../../rendering';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import type { Locale } from '../request.types';
import { rowsOf, safeName, toCsv } from './csv';
import { accessReportWords, categoryLabel, fieldLabel, valueLabel } from './report-labels';

export const PACKAGE_SCHEMA_VERSION = '1.0';

export interface PackageSystem {
  key: string;
  name: string;
  status: string;
  retainedReason: string | null;
  retainedUntil: Date | null;
  /** `{ <category>: rows }` as the system answered; null when it sent nothing. */
  data: Record<string, unknown> | null;
  dataCategories: string[];
  /** The purposes the system processes for. */
  purposes: string[];
  /** False: the system holds nothing about the person. */
  found: boolean | null;
  processor: { name: string; country: string | null; safeguards: string | null } | null;
}

export interface PackagePurpose {
  key: string;
  name: string;
  description: string | null;
  legalBasis: string;
  dataCategories: string[];
  recipients: string[];
  processors: string[];
  transfers: string[];
  /** The enforced retention policies that apply, each in words (Art. 15(1)(d)); empty: none enforced. */
  retention: string[];
  /** Art. 15(1)(h): automated decision-making for the purpose, in words; null: none. */
  automatedDecisions: string | null;
}

export interface PackageInput {
  kind: 'access' | 'portability';
  locale: Locale;
  exportedAt: Date;
  controller: { name: string; dpoName: string; dpoEmail: string };
  request: { id: string; receivedAt: Date };
  subjectId: string | null;
  systems: PackageSystem[];
  purposes: PackagePurpose[];
}

// LEGAL item 18: portability covers what the subject provided and what was observed of them, not the
// controller's own records about handling their requests.
const NOT_PORTABLE: Record<string, string[]> = { zgoda: ['requests'] };
const ZGODA = 'zgoda';

const templates: Partial<Record<Locale, CompiledTemplate>> = {};
function template(locale: Locale): CompiledTemplate {
  // Compiled once in the one environment, strict (a misspelt field is an error, not a blank), from the build folder.
  templates[locale] ??= compileTemplate(
    readFileSync(join(__dirname, '..', 'templates', 'access-report', `${locale}.html.hbs`), 'utf8'),
  );
  return templates[locale]!;
}

/** The portable part of each system's data. */
export function packageData(input: PackageInput): PackageSystem[] {
  return input.systems.map((s) => {
    if (input.kind !== 'portability' || !s.data) return s;
    const drop = NOT_PORTABLE[s.key] ?? [];
    return { ...s, data: Object.fromEntries(Object.entries(s.data).filter(([k]) => !drop.includes(k))) };
  });
}

/** data.json: the machine-readable copy (LEGAL items 17-18), described by schema.json. */
export function dataJson(input: PackageInput, systems: PackageSystem[]) {
  return {
    schemaVersion: PACKAGE_SCHEMA_VERSION,
    kind: input.kind,
    exportedAt: input.exportedAt.toISOString(),
    controller: {
      name: input.controller.name,
      dpo: { name: input.controller.dpoName, email: input.controller.dpoEmail },
    },
    request: { id: input.request.id, receivedAt: input.request.receivedAt.toISOString() },
    subjectId: input.subjectId,
    systems: systems.map((s) => ({
      key: s.key,
      name: s.name,
      status: s.status,
      retainedReason: s.retainedReason,
      retainedUntil: s.retainedUntil?.toISOString() ?? null,
      data: Object.fromEntries(Object.entries(s.data ?? {}).map(([category, v]) => [category, rowsOf(v)])),
    })),
  };
}

export const DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Zgoda access / portability package (data.json)',
  type: 'object',
  required: ['schemaVersion', 'kind', 'exportedAt', 'controller', 'request', 'systems'],
  properties: {
    schemaVersion: { const: PACKAGE_SCHEMA_VERSION },
    kind: { enum: ['access', 'portability'] },
    exportedAt: { type: 'string', format: 'date-time' },
    controller: { type: 'object', properties: { name: { type: 'string' }, dpo: { type: 'object' } } },
    request: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, receivedAt: { type: 'string' } } },
    subjectId: { type: ['string', 'null'] },
    systems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'status', 'data'],
        properties: {
          key: { type: 'string', description: 'The data system; csv/<key>/<category>.csv holds the same rows' },
          name: { type: 'string' },
          status: { enum: ['done', 'retained'] },
          data: {
            type: 'object',
            description: 'One entry per data category; each a list of flat records',
            additionalProperties: { type: 'array', items: { type: 'object' } },
          },
        },
      },
    },
  },
};

/** Issue 13 item 9: a system that holds something about the subject (it answered with data, or kept it). */
const holdsData = (s: PackageSystem) =>
  s.found !== false && (s.status === 'retained' || Object.values(s.data ?? {}).some((v) => rowsOf(v).length > 0));

/**
 * The subject's purposes, not every purpose of the controller (issue 13 item 9): those of a consent decision
 * of theirs, an objection of theirs, or a system processing for it that holds their data.
 */
export function subjectPurposes(input: PackageInput, systems: PackageSystem[]): PackagePurpose[] {
  const keys = new Set<string>();
  const zgoda = systems.find((s) => s.key === ZGODA);
  for (const r of rowsOf(zgoda?.data?.consent_history)) keys.add(String(r.purpose));
  for (const r of rowsOf(zgoda?.data?.profile))
    String(r.objectedPurposes ?? '')
      .split(' ')
      .forEach((k) => keys.add(k));
  for (const s of systems) if (s.key !== ZGODA && holdsData(s)) s.purposes.forEach((k) => keys.add(k));
  return input.purposes.filter((p) => keys.has(p.key));
}

/** The model of report.html: every item of Art. 15(1)-(3) (LEGAL item 17), about this subject only. */
export function reportModel(input: PackageInput, systems: PackageSystem[]) {
  const { locale } = input;
  // Dates and times in Europe/Warsaw, as every page, e-mail and document prints them.
  const date = (d: Date | string | null | undefined) => (d ? formatDateTime(new Date(d), locale) : '');
  const purposes = subjectPurposes(input, systems);
  const purposeName = new Map(input.purposes.map((p) => [p.key, p.name]));
  const holding = systems.filter(holdsData);
  const zgoda = systems.find((s) => s.key === ZGODA);
  const consentRows = rowsOf(zgoda?.data?.consent_history);
  const methods = [...new Set(consentRows.map((r) => String(r.sourceMethod ?? '')).filter(Boolean))].map((m) =>
    valueLabel('sourceMethod', m, locale),
  );
  const recipients = new Set<string>();
  for (const p of purposes) [...p.recipients, ...p.processors].forEach((r) => recipients.add(r));
  for (const s of holding) if (s.processor?.name) recipients.add(s.processor.name);
  // Zgoda's own cells in words: codes translated, times as dates, purpose keys as the purposes' names.
  const cell = (system: string, field: string, v: unknown): string => {
    if (system !== ZGODA)
      return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (field === 'purpose') return purposeName.get(String(v)) ?? String(v ?? '');
    if (field === 'objectedPurposes')
      return String(v ?? '')
        .split(' ')
        .filter(Boolean)
        .map((k) => purposeName.get(k) ?? k)
        .join(', ');
    if (/At$|Since$/.test(field) && typeof v === 'string' && v) return date(v);
    return valueLabel(field, v, locale);
  };
  return {
    controllerName: input.controller.name,
    dpoName: input.controller.dpoName,
    dpoEmail: input.controller.dpoEmail,
    requestId: input.request.id,
    receivedAt: date(input.request.receivedAt),
    exportedAt: date(input.exportedAt),
    purposes: purposes.map((p) => ({
      name: p.name,
      description: p.description ?? '',
      legalBasis: accessReportWords(locale, `legalBasis.${p.legalBasis}`, p.legalBasis),
      retention: p.retention,
    })),
    // Art. 15(1)(b), (g): what is held and where it came from, per category.
    categories: holding.flatMap((s) =>
      (s.key === ZGODA ? Object.keys(s.data ?? {}) : s.dataCategories).map((c) => ({
        name: categoryLabel(c, locale),
        system: s.name,
        source:
          s.key !== ZGODA
            ? message(locale, 'accessReport.words.collectedThrough', { system: s.name })
            : c === 'requests'
              ? message(locale, 'accessReport.words.yourRequests')
              : message(locale, 'accessReport.words.fromYou') + (methods.length ? ` (${methods.join(', ')})` : ''),
      })),
    ),
    sources: methods,
    recipients: [...recipients].sort(),
    processors: holding
      .filter((s) => s.processor?.name)
      .map((s) => ({
        name: s.processor!.name,
        country: s.processor!.country ?? '',
        safeguards: s.processor!.safeguards ?? '',
      })),
    transfers: [...new Set(purposes.flatMap((p) => p.transfers))],
    automated: purposes.filter((p) => p.automatedDecisions).map((p) => ({ name: p.name, text: p.automatedDecisions! })),
    systems: systems.map((s) => ({
      name: s.name,
      retained: s.status === 'retained',
      retainedReason:
        s.retainedReason === 'legal_hold' ? message(locale, 'accessReport.words.legalHold') : (s.retainedReason ?? ''),
      retainedUntil: date(s.retainedUntil),
      categories: Object.entries(s.data ?? {})
        .filter(([name]) => name !== 'consent_receipts')
        .map(([name, v]) => {
          const rows = rowsOf(v);
          const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
          return {
            name: s.key === ZGODA ? categoryLabel(name, locale) : name,
            headers: keys.map((h) => (s.key === ZGODA ? fieldLabel(h, locale) : h)),
            rows: rows.map((r) => keys.map((h) => cell(s.key, h, r[h]))),
          };
        }),
    })),
    consents: consentRows.map((r) => ({
      recordedAt: date(r.recordedAt as string),
      purpose: purposeName.get(String(r.purpose)) ?? String(r.purpose ?? ''),
      channel: valueLabel('channel', r.channel, locale),
      decision: valueLabel('decision', r.decision, locale),
      version: String(r.version ?? ''),
      source: valueLabel('sourceMethod', r.sourceMethod, locale),
      title: String(r.title ?? ''),
      text: String(r.text ?? ''),
    })),
    receipts: rowsOf(zgoda?.data?.consent_receipts).length,
  };
}

export function renderReport(input: PackageInput, systems: PackageSystem[]): string {
  return template(input.locale)(reportModel(input, systems));
}

/** The ZIP: data.json, schema.json, csv/<system>/<category>.csv and, for access, report.html. */
export async function buildPackage(input: PackageInput): Promise<Buffer> {
  const systems = packageData(input);
  const zip = new ZipFile();
  const options = { mtime: input.exportedAt };
  const add = (text: string, path: string) => zip.addBuffer(Buffer.from(text, 'utf8'), path, options);
  add(`${JSON.stringify(dataJson(input, systems), null, 2)}\n`, 'data.json');
  add(`${JSON.stringify(DATA_SCHEMA, null, 2)}\n`, 'schema.json');
  for (const s of systems) {
    for (const [category, value] of Object.entries(s.data ?? {})) {
      add(toCsv(rowsOf(value)), `csv/${safeName(s.key)}/${safeName(category)}.csv`);
    }
  }
  // Issue 13 item 9: each consent decision's signed receipt as the file it was handed out as (compact JWS).
  for (const r of rowsOf(systems.find((s) => s.key === ZGODA)?.data?.consent_receipts)) {
    add(`${String(r.receipt)}\n`, `receipts/${safeName(String(r.consentId))}.jws`);
  }
  if (input.kind === 'access') add(renderReport(input, systems), 'report.html');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
