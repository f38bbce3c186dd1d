import { addMessages, defineStrings, message, messageOr, requestTypeLabel } from '../../rendering';
import { channelLabel } from '../../consent';
import type { Locale } from '../request.types';

/**
 * Issue 13 item 9: the access report names everything in the subject's language, never by a field key or a code
 * (`firstName`, `granted`). Keys a data system chose itself are its own words and are shown as it sent them.
 * The words are the one catalogue's namespace `accessReport` (issue 15 item 7).
 */
export const ACCESS_REPORT_STRINGS = defineStrings({
  pl: {
    category: {
      identifiers: 'Identyfikatory (e-mail, telefon, numery klienta)',
      profile: 'Dane osobowe',
      consent_history: 'Historia zgód',
      consent_receipts: 'Potwierdzenia zgód (podpisane)',
      requests: 'Twoje żądania',
      email: 'adres e-mail',
      phone: 'numer telefonu',
      name: 'imię i nazwisko',
      birth_date: 'data urodzenia',
      external_ids: 'numery klienta w innych systemach',
      consent_records: 'zapisy zgód',
      request_records: 'zapisy żądań',
    },
    field: {
      kind: 'Rodzaj',
      value: 'Wartość',
      system: 'System',
      primary: 'Główny',
      firstName: 'Imię',
      lastName: 'Nazwisko',
      birthDate: 'Data urodzenia',
      locale: 'Język',
      status: 'Stan',
      createdAt: 'Utworzono',
      lastActivityAt: 'Ostatnia aktywność',
      restrictedSince: 'Przetwarzanie ograniczone od',
      objectedToDirectMarketingSince: 'Sprzeciw wobec marketingu od',
      objectedPurposes: 'Cele objęte sprzeciwem',
      id: 'Numer',
      consentId: 'Numer zgody',
      purpose: 'Cel',
      channel: 'Kanał',
      decision: 'Decyzja',
      reason: 'Powód',
      version: 'Wersja treści',
      textSha256: 'Skrót treści (SHA-256)',
      title: 'Tytuł',
      text: 'Treść, na którą się zgodzono',
      recordedAt: 'Kiedy',
      expiresAt: 'Ważna do',
      sourceMethod: 'Sposób',
      sourceLocation: 'Miejsce',
      expressedBy: 'Kto wyraził',
      gpc: 'Sygnał GPC',
      receipt: 'Potwierdzenie (JWS)',
      type: 'Rodzaj',
      receivedAt: 'Otrzymane',
      completedAt: 'Zakończone',
    },
    value: {
      decision: {
        granted: 'zgoda udzielona',
        refused: 'odmowa',
        withdrawn: 'zgoda wycofana',
        confirmed: 'zgoda potwierdzona',
      },
      kind: { email: 'e-mail', phone: 'telefon', external_id: 'numer klienta' },
      sourceMethod: {
        web: 'formularz internetowy',
        store: 'salon',
        phone: 'telefon',
        email: 'e-mail',
        import: 'import z innego systemu',
        api: 'system firmy',
      },
      expressedBy: { subject: 'Ty', guardian: 'opiekun', staff: 'pracownik w Twoim imieniu' },
      status: {
        active: 'aktywny',
        restricted: 'przetwarzanie ograniczone',
        received: 'otrzymane',
        awaiting_verification: 'czeka na potwierdzenie',
        verified: 'potwierdzone',
        in_progress: 'w realizacji',
        awaiting_recipients: 'czeka na odbiorców danych',
        completed: 'zakończone',
        failed: 'wstrzymane',
        cancelled: 'anulowane',
      },
      locale: { pl: 'polski', en: 'angielski' },
    },
    legalBasis: {
      consent: 'zgoda (art. 6 ust. 1 lit. a RODO)',
      contract: 'umowa (art. 6 ust. 1 lit. b RODO)',
      legal_obligation: 'obowiązek prawny (art. 6 ust. 1 lit. c RODO)',
      vital_interests: 'żywotne interesy (art. 6 ust. 1 lit. d RODO)',
      public_task: 'zadanie publiczne (art. 6 ust. 1 lit. e RODO)',
      legitimate_interests: 'prawnie uzasadniony interes (art. 6 ust. 1 lit. f RODO)',
    },
    words: {
      fromYou: 'od Ciebie',
      yourRequests: 'Twoje żądania i nasze odpowiedzi',
      collectedThrough: 'zebrane przez nas w systemie {system}',
      legalHold: 'obowiązek zachowania danych (art. 17 ust. 3 RODO)',
    },
    bool: { true: 'tak', false: 'nie' },
  },
  en: {
    category: {
      identifiers: 'Identifiers (e-mail, phone, customer numbers)',
      profile: 'Personal details',
      consent_history: 'Consent history',
      consent_receipts: 'Consent receipts (signed)',
      requests: 'Your requests',
      email: 'e-mail address',
      phone: 'phone number',
      name: 'name',
      birth_date: 'date of birth',
      external_ids: 'customer numbers in other systems',
      consent_records: 'consent records',
      request_records: 'request records',
    },
    field: {
      kind: 'Kind',
      value: 'Value',
      system: 'System',
      primary: 'Primary',
      firstName: 'First name',
      lastName: 'Last name',
      birthDate: 'Date of birth',
      locale: 'Language',
      status: 'Status',
      createdAt: 'Created',
      lastActivityAt: 'Last activity',
      restrictedSince: 'Processing restricted since',
      objectedToDirectMarketingSince: 'Objected to direct marketing since',
      objectedPurposes: 'Purposes objected to',
      id: 'Number',
      consentId: 'Consent number',
      purpose: 'Purpose',
      channel: 'Channel',
      decision: 'Decision',
      reason: 'Reason',
      version: 'Text version',
      textSha256: 'Text digest (SHA-256)',
      title: 'Title',
      text: 'Text agreed to',
      recordedAt: 'When',
      expiresAt: 'Valid until',
      sourceMethod: 'How',
      sourceLocation: 'Where',
      expressedBy: 'Expressed by',
      gpc: 'GPC signal',
      receipt: 'Receipt (JWS)',
      type: 'Type',
      receivedAt: 'Received',
      completedAt: 'Completed',
    },
    value: {
      decision: { granted: 'granted', refused: 'refused', withdrawn: 'withdrawn', confirmed: 'confirmed' },
      kind: { email: 'e-mail', phone: 'phone', external_id: 'customer number' },
      sourceMethod: {
        web: 'web form',
        store: 'store',
        phone: 'phone',
        email: 'e-mail',
        import: 'import from another system',
        api: 'company system',
      },
      expressedBy: { subject: 'you', guardian: 'guardian', staff: 'staff on your behalf' },
      status: {
        active: 'active',
        restricted: 'processing restricted',
        received: 'received',
        awaiting_verification: 'awaiting confirmation',
        verified: 'confirmed',
        in_progress: 'in progress',
        awaiting_recipients: 'waiting for recipients',
        completed: 'completed',
        failed: 'on hold',
        cancelled: 'cancelled',
      },
      locale: { pl: 'Polish', en: 'English' },
    },
    legalBasis: {
      consent: 'consent (Art. 6(1)(a) GDPR)',
      contract: 'contract (Art. 6(1)(b) GDPR)',
      legal_obligation: 'legal obligation (Art. 6(1)(c) GDPR)',
      vital_interests: 'vital interests (Art. 6(1)(d) GDPR)',
      public_task: 'public task (Art. 6(1)(e) GDPR)',
      legitimate_interests: 'legitimate interests (Art. 6(1)(f) GDPR)',
    },
    words: {
      fromYou: 'from you',
      yourRequests: 'your requests and our answers',
      collectedThrough: 'collected by us in the system {system}',
      legalHold: 'a duty to keep the data (Art. 17(3) GDPR)',
    },
    bool: { true: 'yes', false: 'no' },
  },
});
addMessages('accessReport', ACCESS_REPORT_STRINGS);

/** The catalogue's words for a key of Zgoda's own, or the key itself (a data system's own word). */
const words = (key: string, locale: Locale, own: string) => messageOr(locale, key, own);

/** An access report word (`accessReport.<key>`), or the code as recorded when it has none. */
export const accessReportWords = (locale: Locale, key: string, code: string) =>
  words(`accessReport.${key}`, locale, code);

/** A data category's name: Zgoda's own in words, a system's own key as the system named it. */
export const categoryLabel = (key: string, locale: Locale) => words(`accessReport.category.${key}`, locale, key);

export const fieldLabel = (key: string, locale: Locale) => words(`accessReport.field.${key}`, locale, key);

/** A cell of Zgoda's own data in words: codes of known fields translated, booleans as yes/no. */
export function valueLabel(field: string, value: unknown, locale: Locale): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return message(locale, `accessReport.bool.${String(value)}`);
  if (typeof value === 'object') return JSON.stringify(value);
  if (field === 'type') return requestTypeLabel(String(value), locale) ?? String(value);
  if (field === 'channel') return channelLabel(String(value), locale);
  return words(`accessReport.value.${field}.${String(value)}`, locale, String(value));
}
