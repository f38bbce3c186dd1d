import { addMessages, defineStrings, message } from '../rendering';
import type { RegisterLang } from './register-columns';
import type { Register } from './register.types';

/** The register's own words (headers, legend, gaps), in the one catalogue's namespace `register`. */
export const REGISTER_STRINGS = defineStrings({
  pl: {
    controller: 'Administrator',
    processor: 'Podmiot przetwarzający',
    address: 'Adres',
    contact: 'Dane kontaktowe',
    dpo: 'Inspektor ochrony danych',
    representative: 'Przedstawiciel (art. 27 RODO)',
    jointControllers: 'Współadministratorzy',
    version: 'Wersja',
    lastUpdate: 'Ostatnia zmiana',
    generated: 'Wygenerowano',
    notSignedOff: 'jeszcze niezatwierdzona przez IOD',
    signedOff: 'zatwierdzona',
    by: 'przez',
    mandatory: 'obowiązkowa',
    legend: 'Kolumny wyróżnione są obowiązkowe (art. 30 RODO); brakujące dane obowiązkowe wymienia lista luk.',
    gaps: 'Luki',
    noGaps: 'Brak luk.',
    activity: 'Czynność',
    column: 'Kolumna',
    severity: 'Waga',
    message: 'Opis',
    none: 'brak',
    changedSince: 'zmieniony od zatwierdzenia',
  },
  en: {
    controller: 'Controller',
    processor: 'Processor',
    address: 'Address',
    contact: 'Contact details',
    dpo: 'Data protection officer',
    representative: 'Representative (Art. 27 GDPR)',
    jointControllers: 'Joint controllers',
    version: 'Version',
    lastUpdate: 'Last change',
    generated: 'Generated',
    notSignedOff: 'not yet signed off by the DPO',
    signedOff: 'signed off',
    by: 'by',
    mandatory: 'mandatory',
    legend: 'Highlighted columns are mandatory (Art. 30 GDPR); missing mandatory data is listed under gaps.',
    gaps: 'Gaps',
    noGaps: 'No gaps.',
    activity: 'Activity',
    column: 'Column',
    severity: 'Severity',
    message: 'Description',
    none: 'none',
    changedSince: 'changed since sign-off',
  },
});
addMessages('register', REGISTER_STRINGS);

type Labels = Record<keyof (typeof REGISTER_STRINGS)['pl'], string>;

/** The register's words in its language, from the catalogue. */
export function labelsOf(lang: RegisterLang): Labels {
  return Object.fromEntries(Object.keys(REGISTER_STRINGS.pl).map((k) => [k, message(lang, `register.${k}`)])) as Labels;
}

const party = (p: { name: string; contact: string | null } | null) =>
  p ? (p.contact ? `${p.name} (${p.contact})` : p.name) : null;

/** The header block every format prints: controller (or processor), DPO, representative, version. */
export function headerBlock(r: Register): { label: string; value: string }[] {
  const l = labelsOf(r.lang);
  const c = r.controller;
  const v = r.version;
  const version =
    v.signedOffVersion === null
      ? l.notSignedOff
      : `${v.signedOffVersion}, ${l.signedOff} ${v.signedOffAt} ${l.by} ${v.signedOffBy}` +
        (v.changedSinceSignOff ? ` (${l.changedSince})` : '');
  return [
    { label: r.role === 'controller' ? l.controller : l.processor, value: c.name },
    { label: l.address, value: c.address ?? l.none },
    { label: l.contact, value: c.contact ?? l.none },
    { label: l.dpo, value: party(c.dpo) ?? l.none },
    { label: l.representative, value: party(c.representative) ?? l.none },
    ...(r.role === 'controller'
      ? [{ label: l.jointControllers, value: c.jointControllers.map(party).join('; ') || l.none }]
      : []),
    { label: l.version, value: version },
    { label: l.lastUpdate, value: v.lastUpdatedAt ? `${v.lastUpdatedAt} ${l.by} ${v.lastUpdatedBy}` : l.none },
    { label: l.generated, value: r.generatedAt },
  ];
}

export function fileName(r: Register, ext: string): string {
  const base =
    r.role === 'controller'
      ? r.lang === 'pl'
        ? 'rejestr-czynnosci-przetwarzania'
        : 'record-of-processing-activities'
      : r.lang === 'pl'
        ? 'rejestr-kategorii-czynnosci-przetwarzania'
        : 'record-of-categories-of-processing';
  return `${base}-${r.generatedAt.slice(0, 10)}.${ext}`;
}
