import { LegalBasis, SpecialCategoryBasis } from '../consent';
import { describeRetention } from '../retention';
import type { RetentionPolicyRecord } from '../retention';
import type { RegisterLang } from './register-columns';

const ART6_LETTER: Record<LegalBasis, string> = {
  [LegalBasis.Consent]: 'a',
  [LegalBasis.Contract]: 'b',
  [LegalBasis.LegalObligation]: 'c',
  [LegalBasis.VitalInterests]: 'd',
  [LegalBasis.PublicTask]: 'e',
  [LegalBasis.LegitimateInterests]: 'f',
};

const ART6_NAME: Record<LegalBasis, Record<RegisterLang, string>> = {
  [LegalBasis.Consent]: { pl: 'zgoda osoby, której dane dotyczą', en: 'consent of the data subject' },
  [LegalBasis.Contract]: { pl: 'wykonanie umowy', en: 'performance of a contract' },
  [LegalBasis.LegalObligation]: {
    pl: 'obowiązek prawny ciążący na administratorze',
    en: 'legal obligation of the controller',
  },
  [LegalBasis.VitalInterests]: { pl: 'ochrona żywotnych interesów', en: 'vital interests' },
  [LegalBasis.PublicTask]: { pl: 'zadanie realizowane w interesie publicznym', en: 'task in the public interest' },
  [LegalBasis.LegitimateInterests]: {
    pl: 'prawnie uzasadniony interes administratora',
    en: 'legitimate interests of the controller',
  },
};

const ART9_NAME: Record<SpecialCategoryBasis, Record<RegisterLang, string>> = {
  art_9_2_a: { pl: 'wyraźna zgoda', en: 'explicit consent' },
  art_9_2_b: { pl: 'prawo pracy i zabezpieczenia społecznego', en: 'employment and social security law' },
  art_9_2_c: { pl: 'żywotne interesy', en: 'vital interests' },
  art_9_2_d: { pl: 'działalność fundacji lub stowarzyszenia', en: 'not-for-profit body' },
  art_9_2_e: { pl: 'dane upublicznione przez osobę', en: 'made public by the data subject' },
  art_9_2_f: { pl: 'roszczenia', en: 'legal claims' },
  art_9_2_g: { pl: 'ważny interes publiczny', en: 'substantial public interest' },
  art_9_2_h: { pl: 'profilaktyka zdrowotna i opieka zdrowotna', en: 'health care' },
  art_9_2_i: { pl: 'zdrowie publiczne', en: 'public health' },
  art_9_2_j: { pl: 'archiwizacja, badania naukowe, statystyka', en: 'archiving, research, statistics' },
};

/** W3C DPV: the GDPR extension names each paragraph as `eu-gdpr:A6-1-a`. */
export const DPV_GDPR = 'https://w3id.org/dpv/legal/eu/gdpr#';

export function legalBasisIri(basis: LegalBasis): string {
  return `eu-gdpr:A6-1-${ART6_LETTER[basis]}`;
}

export function specialCategoryIri(basis: SpecialCategoryBasis): string {
  return `eu-gdpr:A9-2-${basis.slice(-1)}`;
}

export function legalBasisText(basis: LegalBasis, special: SpecialCategoryBasis | null, lang: RegisterLang): string {
  const letter = ART6_LETTER[basis];
  const art6 =
    lang === 'pl'
      ? `art. 6 ust. 1 lit. ${letter} RODO (${ART6_NAME[basis].pl})`
      : `Art. 6(1)(${letter}) GDPR (${ART6_NAME[basis].en})`;
  if (!special) return art6;
  const l = special.slice(-1);
  const art9 =
    lang === 'pl'
      ? `art. 9 ust. 2 lit. ${l} RODO (${ART9_NAME[special].pl})`
      : `Art. 9(2)(${l}) GDPR (${ART9_NAME[special].en})`;
  return `${art6}; ${art9}`;
}

const ACTION: Record<RetentionPolicyRecord['action'], Record<RegisterLang, string>> = {
  erase: { pl: 'usunięcie', en: 'erasure' },
  anonymise: { pl: 'anonimizacja', en: 'anonymisation' },
  review: { pl: 'przegląd i zniszczenie', en: 'review and destruction' },
};

/**
 * One enforced policy in words, as the "planned erasure" column prints it (LEGAL item 24): the retention
 * module's own wording (the same the policy API answers), what happens then, and the provision it rests
 * on as the policy states it, e.g. "5 lat od końca roku, ... (art. 74 ust. 2 uor)".
 */
export function retentionInWords(
  p: Pick<RetentionPolicyRecord, 'period' | 'trigger' | 'roundToYearEnd' | 'action' | 'legalBasis'>,
  lang: RegisterLang,
): string {
  return `${describeRetention(p, lang)} – ${ACTION[p.action][lang]} (${p.legalBasis.trim()})`;
}

export const WORDS = {
  none: { pl: 'Nie dotyczy', en: 'Not applicable' },
  noRecipients: { pl: 'Brak odbiorców', en: 'No recipients' },
  noTransfers: {
    pl: 'Nie dotyczy: dane nie są przekazywane do państw trzecich ani organizacji międzynarodowych',
    en: 'Not applicable: no transfers to third countries or international organisations',
  },
  missing: { pl: 'BRAK', en: 'MISSING' },
  specialCategory: { pl: 'dane szczególnej kategorii (art. 9 RODO)', en: 'special-category data (Art. 9 GDPR)' },
  consentRecords: {
    pl: 'dowody zgody (art. 7 ust. 1 RODO)',
    en: 'proof of consent (Art. 7(1) GDPR)',
  },
} as const;

/**
 * Art. 30(1)(g) by default: what Zgoda itself enforces, so the register states only what is true of the
 * service. An operator adds the rest (premises, staff training) in the controller settings.
 */
export const DEFAULT_SECURITY_MEASURES: Record<RegisterLang, string> = {
  pl:
    'Dane osobowe szyfrowane w spoczynku (AES-256-GCM, osobny klucz danych dla każdej osoby) i w transmisji (TLS); ' +
    'wyszukiwanie po pseudonimizowanych indeksach (HMAC) zamiast jawnych identyfikatorów; dziennik audytu ' +
    'nie do zmiany, zapieczętowany w drzewie Merkle (RFC 9162) z podpisanymi punktami kontrolnymi przechowywanymi ' +
    'poza bazą danych i weryfikacją; dostęp według ról i zakresów kluczy API ' +
    '(zasada minimalnych uprawnień), hasła przechowywane jako skróty; automatyczne egzekwowanie okresów ' +
    'retencji; brak danych osobowych w logach i zadaniach.',
  en:
    'Personal data encrypted at rest (AES-256-GCM, a data key per person) and in transit (TLS); lookups by ' +
    'pseudonymised indexes (HMAC) instead of plain identifiers; tamper-evident audit log sealed in a Merkle tree ' +
    '(RFC 9162) with signed checkpoints kept outside the database, and verification; access by roles and API-key ' +
    'scopes (least privilege), passwords stored as ' +
    'hashes; retention periods enforced automatically; no personal data in logs or job payloads.',
};
