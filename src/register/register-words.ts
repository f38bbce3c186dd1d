import { LegalBasis, SpecialCategoryBasis } from '../consent';
import { describeRetention } from '../retention';
import type { RetentionPolicyRecord } from '../retention';
import type { RegisterLang } from './register-columns';
import { registerText } from './register-text';

const ART6_LETTER: Record<LegalBasis, string> = {
  [LegalBasis.Consent]: 'a',
  [LegalBasis.Contract]: 'b',
  [LegalBasis.LegalObligation]: 'c',
  [LegalBasis.VitalInterests]: 'd',
  [LegalBasis.PublicTask]: 'e',
  [LegalBasis.LegitimateInterests]: 'f',
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
  const art6 = registerText(lang, 'art6', {
    letter: ART6_LETTER[basis],
    name: registerText(lang, `art6Name.${basis}`),
  });
  if (!special) return art6;
  const art9 = registerText(lang, 'art9', {
    letter: special.slice(-1),
    name: registerText(lang, `art9Name.${special}`),
  });
  return `${art6}; ${art9}`;
}

/**
 * One enforced policy in words, as the "planned erasure" column prints it (LEGAL item 24): the retention
 * module's own wording (the same the policy API answers), what happens then, and the provision it rests
 * on as the policy states it, e.g. "5 lat od końca roku, ... (art. 74 ust. 2 uor)".
 */
export function retentionInWords(
  p: Pick<RetentionPolicyRecord, 'period' | 'trigger' | 'roundToYearEnd' | 'action' | 'legalBasis'>,
  lang: RegisterLang,
): string {
  return `${describeRetention(p, lang)} – ${registerText(lang, `action.${p.action}`)} (${p.legalBasis.trim()})`;
}

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
