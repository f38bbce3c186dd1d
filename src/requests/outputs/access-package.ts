import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import type { Locale } from '../request.types';
import { rowsOf, safeName, toCsv } from './csv';

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
  retention: string | null;
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

const LEGAL_BASIS: Record<Locale, Record<string, string>> = {
  pl: {
    consent: 'zgoda (art. 6 ust. 1 lit. a RODO)',
    contract: 'umowa (art. 6 ust. 1 lit. b RODO)',
    legal_obligation: 'obowiązek prawny (art. 6 ust. 1 lit. c RODO)',
    vital_interests: 'żywotne interesy (art. 6 ust. 1 lit. d RODO)',
    public_task: 'zadanie publiczne (art. 6 ust. 1 lit. e RODO)',
    legitimate_interests: 'prawnie uzasadniony interes (art. 6 ust. 1 lit. f RODO)',
  },
  en: {
    consent: 'consent (Art. 6(1)(a) GDPR)',
    contract: 'contract (Art. 6(1)(b) GDPR)',
    legal_obligation: 'legal obligation (Art. 6(1)(c) GDPR)',
    vital_interests: 'vital interests (Art. 6(1)(d) GDPR)',
    public_task: 'public task (Art. 6(1)(e) GDPR)',
    legitimate_interests: 'legitimate interests (Art. 6(1)(f) GDPR)',
  },
};

const SOURCE_METHODS: Record<Locale, Record<string, string>> = {
  pl: {
    web: 'formularz internetowy',
    store: 'salon',
    phone: 'telefon',
    email: 'e-mail',
    import: 'import z innego systemu',
    api: 'system firmy',
  },
  en: {
    web: 'web form',
    store: 'store',
    phone: 'phone',
    email: 'e-mail',
    import: 'import from another system',
    api: 'company system',
  },
};

const templates: Partial<Record<Locale, Handlebars.TemplateDelegate>> = {};
function template(locale: Locale): Handlebars.TemplateDelegate {
  // Compiled once, strict (a misspelt field is an error, not a blank), from the build folder.
  templates[locale] ??= Handlebars.compile(
    readFileSync(join(__dirname, '..', 'templates', 'access-report', `${locale}.html.hbs`), 'utf8'),
    { strict: true },
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

/** The model of report.html: every item of Art. 15(1)-(3) (LEGAL item 17). */
export function reportModel(input: PackageInput, systems: PackageSystem[]) {
  const fmt = new Intl.DateTimeFormat(input.locale === 'pl' ? 'pl-PL' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Warsaw',
  });
  const date = (d: Date | string | null | undefined) => (d ? fmt.format(new Date(d)) : '');
  const zgoda = systems.find((s) => s.key === 'zgoda');
  const consentRows = rowsOf(zgoda?.data?.consent_history);
  const categories = new Set<string>();
  for (const p of input.purposes) p.dataCategories.forEach((c) => categories.add(c));
  for (const s of systems) s.dataCategories.forEach((c) => categories.add(c));
  const recipients = new Set<string>();
  for (const p of input.purposes) [...p.recipients, ...p.processors].forEach((r) => recipients.add(r));
  const processors = systems
    .filter((s) => s.processor?.name)
    .map((s) => ({
      name: s.processor!.name,
      country: s.processor!.country ?? '',
      safeguards: s.processor!.safeguards ?? '',
    }));
  const transfers = [...new Set(input.purposes.flatMap((p) => p.transfers))];
  const sources = [...new Set(consentRows.map((r) => String(r.sourceMethod ?? '')).filter(Boolean))].map(
    (m) => SOURCE_METHODS[input.locale][m] ?? m,
  );
  return {
    controllerName: input.controller.name,
    dpoName: input.controller.dpoName,
    dpoEmail: input.controller.dpoEmail,
    requestId: input.request.id,
    receivedAt: date(input.request.receivedAt),
    exportedAt: date(input.exportedAt),
    purposes: input.purposes.map((p) => ({
      name: p.name,
      description: p.description ?? '',
      legalBasis: LEGAL_BASIS[input.locale][p.legalBasis] ?? p.legalBasis,
      retention: p.retention ?? '',
    })),
    categories: [...categories].sort(),
    recipients: [...recipients].sort(),
    processors,
    transfers,
    sources,
    systems: systems.map((s) => ({
      name: s.name,
      key: s.key,
      retained: s.status === 'retained',
      retainedReason: s.retainedReason ?? '',
      retainedUntil: date(s.retainedUntil),
      categories: Object.entries(s.data ?? {}).map(([name, v]) => {
        const rows = rowsOf(v);
        const headers = [...new Set(rows.flatMap((r) => Object.keys(r)))];
        return {
          name,
          headers,
          rows: rows.map((r) =>
            headers.map((h) =>
              r[h] === null || r[h] === undefined ? '' : typeof r[h] === 'object' ? JSON.stringify(r[h]) : String(r[h]),
            ),
          ),
        };
      }),
    })),
    consents: consentRows.map((r) => ({
      recordedAt: date(r.recordedAt as string),
      purpose: String(r.purpose ?? ''),
      channel: String(r.channel ?? ''),
      decision: String(r.decision ?? ''),
      version: String(r.version ?? ''),
      source: SOURCE_METHODS[input.locale][String(r.sourceMethod)] ?? String(r.sourceMethod ?? ''),
    })),
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
  if (input.kind === 'access') add(renderReport(input, systems), 'report.html');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
