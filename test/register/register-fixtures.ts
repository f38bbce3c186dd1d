import { PurposesService } from '../../src/consent/purposes.service';
import { seedOptician } from '../../src/consent/seed/optician.seed';
import { TextsService } from '../../src/consent/texts.service';
import { seedOpticianRegister } from '../../src/register/seed/optician-register.seed';
import { RetentionPoliciesService } from '../../src/retention/retention-policies.service';
import { SystemsService } from '../../src/systems/systems.service';
import { TestApp } from '../support/test-app';
import { checkedFetch } from '../support/contract';

export const CONTROLLER_NAME = 'Optyk Przykładowy sp. z o.o.';

/** The optician: purposes with texts, data systems, the Polish default retention policies, the controller block. */
export async function seedOpticianWithRegister(t: TestApp): Promise<void> {
  await seedOptician(t.get(PurposesService), t.get(TextsService));
  await seedOpticianRegister(t.get(SystemsService), t.get(RetentionPoliciesService));
  const res = await t.request('PUT', '/v1/settings/controller', {
    address: 'ul. Długa 1, 31-000 Kraków',
    contact: 'biuro@example.com, +48 12 000 00 00',
    dpo: { name: 'Inspektor Ochrony Danych', contact: 'iod@example.com' },
  });
  if (res.status !== 200) throw new Error(`settings: ${res.status} ${res.text}`);
}

export interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

/** A binary download: TestApp.request reads bodies as text, which would mangle XLSX and PDF. */
export async function download(t: TestApp, path: string, key = t.adminKey): Promise<Download> {
  const res = await checkedFetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** LEGAL item 28, copied here on purpose: the test fails if the code drifts from UODO's template. */
export const UODO_HEADERS = [
  'Lp.',
  'Nazwa czynności przetwarzania',
  'Jednostka organizacyjna',
  'Cel przetwarzania',
  'Kategorie osób',
  'Kategorie danych',
  'Podstawa prawna',
  'Źródło danych',
  'Planowany termin usunięcia kategorii danych',
  'Nazwa współadministratora i dane kontaktowe',
  'Nazwa podmiotu przetwarzającego i dane kontaktowe',
  'Kategorie odbiorców',
  'Nazwa systemu lub oprogramowania',
  'Ogólny opis technicznych i organizacyjnych środków bezpieczeństwa',
  'DPIA',
  'Transfer do państwa trzeciego lub organizacji międzynarodowej',
  'Dokumentacja zabezpieczeń (art. 49)',
];

/** Art. 30(1) (a)-(g), as UODO columns. */
export const MANDATORY_HEADERS = [
  'Lp.',
  'Nazwa czynności przetwarzania',
  'Cel przetwarzania',
  'Kategorie osób',
  'Kategorie danych',
  'Planowany termin usunięcia kategorii danych',
  'Nazwa współadministratora i dane kontaktowe',
  'Kategorie odbiorców',
  'Ogólny opis technicznych i organizacyjnych środków bezpieczeństwa',
  'Transfer do państwa trzeciego lub organizacji międzynarodowej',
];

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#x27': "'",
  '#x3D': '=',
  '#x60': '`',
};

/** The text of the cells of one table (`<table id=...>`), as a browser shows it. */
export function htmlTable(html: string, id: string): { head: string[]; rows: string[][] } {
  const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  const text = (s: string) => s.replace(/<[^>]+>/g, '').replace(/&([#\w]+);/g, (m, e: string) => ENTITIES[e] ?? m);
  const cells = (tr: string, tag: string) =>
    [...tr.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => text(m[1]));
  const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
  return { head: cells(rows[0] ?? '', 'th'), rows: rows.slice(1).map((r) => cells(r, 'td')) };
}
