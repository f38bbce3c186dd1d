import { REQUEST_TYPE_LABELS } from '../../rendering';
import type { Locale } from '../request.types';

type Words = Record<string, Record<Locale, string>>;

/**
 * Issue 13 item 9: the access report names everything in the subject's language, never by a field key or a code
 * (`firstName`, `granted`). Keys a data system chose itself are its own words and are shown as it sent them.
 */
const CATEGORY: Words = {
  identifiers: {
    pl: 'Identyfikatory (e-mail, telefon, numery klienta)',
    en: 'Identifiers (e-mail, phone, customer numbers)',
  },
  profile: { pl: 'Dane osobowe', en: 'Personal details' },
  consent_history: { pl: 'Historia zgód', en: 'Consent history' },
  consent_receipts: { pl: 'Potwierdzenia zgód (podpisane)', en: 'Consent receipts (signed)' },
  requests: { pl: 'Twoje żądania', en: 'Your requests' },
  email: { pl: 'adres e-mail', en: 'e-mail address' },
  phone: { pl: 'numer telefonu', en: 'phone number' },
  name: { pl: 'imię i nazwisko', en: 'name' },
  birth_date: { pl: 'data urodzenia', en: 'date of birth' },
  external_ids: { pl: 'numery klienta w innych systemach', en: 'customer numbers in other systems' },
  consent_records: { pl: 'zapisy zgód', en: 'consent records' },
  request_records: { pl: 'zapisy żądań', en: 'request records' },
};

const FIELD: Words = {
  kind: { pl: 'Rodzaj', en: 'Kind' },
  value: { pl: 'Wartość', en: 'Value' },
  system: { pl: 'System', en: 'System' },
  primary: { pl: 'Główny', en: 'Primary' },
  firstName: { pl: 'Imię', en: 'First name' },
  lastName: { pl: 'Nazwisko', en: 'Last name' },
  birthDate: { pl: 'Data urodzenia', en: 'Date of birth' },
  locale: { pl: 'Język', en: 'Language' },
  status: { pl: 'Stan', en: 'Status' },
  createdAt: { pl: 'Utworzono', en: 'Created' },
  lastActivityAt: { pl: 'Ostatnia aktywność', en: 'Last activity' },
  restrictedSince: { pl: 'Przetwarzanie ograniczone od', en: 'Processing restricted since' },
  objectedToDirectMarketingSince: { pl: 'Sprzeciw wobec marketingu od', en: 'Objected to direct marketing since' },
  objectedPurposes: { pl: 'Cele objęte sprzeciwem', en: 'Purposes objected to' },
  id: { pl: 'Numer', en: 'Number' },
  consentId: { pl: 'Numer zgody', en: 'Consent number' },
  purpose: { pl: 'Cel', en: 'Purpose' },
  channel: { pl: 'Kanał', en: 'Channel' },
  decision: { pl: 'Decyzja', en: 'Decision' },
  reason: { pl: 'Powód', en: 'Reason' },
  version: { pl: 'Wersja treści', en: 'Text version' },
  textSha256: { pl: 'Skrót treści (SHA-256)', en: 'Text digest (SHA-256)' },
  title: { pl: 'Tytuł', en: 'Title' },
  text: { pl: 'Treść, na którą się zgodzono', en: 'Text agreed to' },
  recordedAt: { pl: 'Kiedy', en: 'When' },
  expiresAt: { pl: 'Ważna do', en: 'Valid until' },
  sourceMethod: { pl: 'Sposób', en: 'How' },
  sourceLocation: { pl: 'Miejsce', en: 'Where' },
  expressedBy: { pl: 'Kto wyraził', en: 'Expressed by' },
  gpc: { pl: 'Sygnał GPC', en: 'GPC signal' },
  receipt: { pl: 'Potwierdzenie (JWS)', en: 'Receipt (JWS)' },
  type: { pl: 'Rodzaj', en: 'Type' },
  receivedAt: { pl: 'Otrzymane', en: 'Received' },
  completedAt: { pl: 'Zakończone', en: 'Completed' },
};

const VALUE: Record<string, Words> = {
  decision: {
    granted: { pl: 'zgoda udzielona', en: 'granted' },
    refused: { pl: 'odmowa', en: 'refused' },
    withdrawn: { pl: 'zgoda wycofana', en: 'withdrawn' },
    confirmed: { pl: 'zgoda potwierdzona', en: 'confirmed' },
  },
  channel: {
    email: { pl: 'e-mail', en: 'e-mail' },
    sms: { pl: 'SMS', en: 'text message' },
    phone: { pl: 'telefon', en: 'phone' },
    auto_call: { pl: 'automatyczne połączenia', en: 'automated calls' },
    push: { pl: 'powiadomienia push', en: 'push notifications' },
    post: { pl: 'poczta', en: 'post' },
  },
  kind: {
    email: { pl: 'e-mail', en: 'e-mail' },
    phone: { pl: 'telefon', en: 'phone' },
    external_id: { pl: 'numer klienta', en: 'customer number' },
  },
  sourceMethod: {
    web: { pl: 'formularz internetowy', en: 'web form' },
    store: { pl: 'salon', en: 'store' },
    phone: { pl: 'telefon', en: 'phone' },
    email: { pl: 'e-mail', en: 'e-mail' },
    import: { pl: 'import z innego systemu', en: 'import from another system' },
    api: { pl: 'system firmy', en: 'company system' },
  },
  expressedBy: {
    subject: { pl: 'Ty', en: 'you' },
    guardian: { pl: 'opiekun', en: 'guardian' },
    staff: { pl: 'pracownik w Twoim imieniu', en: 'staff on your behalf' },
  },
  status: {
    active: { pl: 'aktywny', en: 'active' },
    restricted: { pl: 'przetwarzanie ograniczone', en: 'processing restricted' },
    received: { pl: 'otrzymane', en: 'received' },
    awaiting_verification: { pl: 'czeka na potwierdzenie', en: 'awaiting confirmation' },
    verified: { pl: 'potwierdzone', en: 'confirmed' },
    in_progress: { pl: 'w realizacji', en: 'in progress' },
    awaiting_recipients: { pl: 'czeka na odbiorców danych', en: 'waiting for recipients' },
    completed: { pl: 'zakończone', en: 'completed' },
    failed: { pl: 'wstrzymane', en: 'on hold' },
    cancelled: { pl: 'anulowane', en: 'cancelled' },
  },
  type: Object.fromEntries(Object.entries(REQUEST_TYPE_LABELS)) as Words,
  locale: { pl: { pl: 'polski', en: 'Polish' }, en: { pl: 'angielski', en: 'English' } },
};

const BOOL: Words = { true: { pl: 'tak', en: 'yes' }, false: { pl: 'nie', en: 'no' } };

/** A data category's name: Zgoda's own in words, a system's own key as the system named it. */
export const categoryLabel = (key: string, locale: Locale) => CATEGORY[key]?.[locale] ?? key;

export const fieldLabel = (key: string, locale: Locale) => FIELD[key]?.[locale] ?? key;

/** A cell of Zgoda's own data in words: codes of known fields translated, booleans as yes/no. */
export function valueLabel(field: string, value: unknown, locale: Locale): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return BOOL[String(value)][locale];
  if (typeof value === 'object') return JSON.stringify(value);
  return VALUE[field]?.[String(value)]?.[locale] ?? String(value);
}
