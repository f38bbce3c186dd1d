import { addMessages, defineStrings, message } from '../rendering';
import type { RegisterLang } from './register-columns';

/**
 * The register's sentences (titles, fillers, the gaps' reasons, the legal bases and retention actions in words), the
 * one catalogue's namespace `registerText`. The UODO column headers stay beside their column specification
 * (register-columns.ts): they are printed exactly as UODO's template writes them.
 */
export const REGISTER_TEXT = defineStrings({
  pl: {
    title: {
      controller: 'Rejestr czynności przetwarzania',
      processor: 'Rejestr wszystkich kategorii czynności przetwarzania',
    },
    none: 'Nie dotyczy',
    noRecipients: 'Brak odbiorców',
    noTransfers: 'Nie dotyczy: dane nie są przekazywane do państw trzecich ani organizacji międzynarodowych',
    missing: 'BRAK: {what}',
    specialCategory: 'dane szczególnej kategorii (art. 9 RODO)',
    consentRecords: 'dowody zgody (art. 7 ust. 1 RODO)',
    controllerHeader: 'Administrator',
    gap: {
      controllerContact: 'brak danych kontaktowych administratora (PUT /v1/settings/controller)',
      noRetention: 'brak egzekwowanej polityki retencji',
      declared: ' (deklarowano: {retention})',
      purpose: 'cel przetwarzania nie jest opisany',
      subjects: 'brak kategorii osób',
      data: 'brak kategorii danych',
      transfer: 'brak zabezpieczeń transferu do {country} (art. 44-49 RODO) w systemie {system}',
      dpia: 'dane szczególnej kategorii: wskaż ocenę skutków (art. 35 RODO) albo powód jej braku',
      noClients: 'brak administratorów, w imieniu których przetwarzane są dane (processorClients w ustawieniach)',
      unknownPurpose: 'nieznany cel {key}',
      noCategories: 'brak kategorii przetwarzań',
    },
    art6: 'art. 6 ust. 1 lit. {letter} RODO ({name})',
    art9: 'art. 9 ust. 2 lit. {letter} RODO ({name})',
    art6Name: {
      consent: 'zgoda osoby, której dane dotyczą',
      contract: 'wykonanie umowy',
      legal_obligation: 'obowiązek prawny ciążący na administratorze',
      vital_interests: 'ochrona żywotnych interesów',
      public_task: 'zadanie realizowane w interesie publicznym',
      legitimate_interests: 'prawnie uzasadniony interes administratora',
    },
    art9Name: {
      art_9_2_a: 'wyraźna zgoda',
      art_9_2_b: 'prawo pracy i zabezpieczenia społecznego',
      art_9_2_c: 'żywotne interesy',
      art_9_2_d: 'działalność fundacji lub stowarzyszenia',
      art_9_2_e: 'dane upublicznione przez osobę',
      art_9_2_f: 'roszczenia',
      art_9_2_g: 'ważny interes publiczny',
      art_9_2_h: 'profilaktyka zdrowotna i opieka zdrowotna',
      art_9_2_i: 'zdrowie publiczne',
      art_9_2_j: 'archiwizacja, badania naukowe, statystyka',
    },
    action: { erase: 'usunięcie', anonymise: 'anonimizacja', review: 'przegląd i zniszczenie' },
    field: {
      name: 'Nazwa administratora',
      address: 'Adres',
      contact: 'Dane kontaktowe',
      dpoName: 'Inspektor ochrony danych',
      dpoContact: 'Kontakt z IOD',
      representative: 'Przedstawiciel',
      jointControllers: 'Współadministratorzy',
    },
    sheet: 'Rejestr',
    mandatoryColumn: 'Kolumna obowiązkowa (art. 30 RODO)',
    what: {
      purpose: 'opis celu',
      subjects: 'kategorie osób',
      data: 'kategorie danych',
      categories: 'kategorie przetwarzań',
    },
  },
  en: {
    title: {
      controller: 'Record of processing activities',
      processor: 'Record of all categories of processing activities',
    },
    none: 'Not applicable',
    noRecipients: 'No recipients',
    noTransfers: 'Not applicable: no transfers to third countries or international organisations',
    missing: 'MISSING: {what}',
    specialCategory: 'special-category data (Art. 9 GDPR)',
    consentRecords: 'proof of consent (Art. 7(1) GDPR)',
    controllerHeader: 'Controller',
    gap: {
      controllerContact: "the controller's contact details are missing (PUT /v1/settings/controller)",
      noRetention: 'no retention policy is enforced',
      declared: ' (declared: {retention})',
      purpose: 'the purpose is not described',
      subjects: 'no categories of data subjects',
      data: 'no categories of personal data',
      transfer: 'no safeguards for the transfer to {country} (Art. 44-49 GDPR) in system {system}',
      dpia: 'special-category data: name the impact assessment (Art. 35 GDPR) or why there is none',
      noClients: 'no controllers on whose behalf data is processed (processorClients in the settings)',
      unknownPurpose: 'unknown purpose {key}',
      noCategories: 'no categories of processing',
    },
    art6: 'Art. 6(1)({letter}) GDPR ({name})',
    art9: 'Art. 9(2)({letter}) GDPR ({name})',
    art6Name: {
      consent: 'consent of the data subject',
      contract: 'performance of a contract',
      legal_obligation: 'legal obligation of the controller',
      vital_interests: 'vital interests',
      public_task: 'task in the public interest',
      legitimate_interests: 'legitimate interests of the controller',
    },
    art9Name: {
      art_9_2_a: 'explicit consent',
      art_9_2_b: 'employment and social security law',
      art_9_2_c: 'vital interests',
      art_9_2_d: 'not-for-profit body',
      art_9_2_e: 'made public by the data subject',
      art_9_2_f: 'legal claims',
      art_9_2_g: 'substantial public interest',
      art_9_2_h: 'health care',
      art_9_2_i: 'public health',
      art_9_2_j: 'archiving, research, statistics',
    },
    action: { erase: 'erasure', anonymise: 'anonymisation', review: 'review and destruction' },
    field: {
      name: 'Controller name',
      address: 'Address',
      contact: 'Contact details',
      dpoName: 'Data protection officer',
      dpoContact: 'DPO contact',
      representative: 'Representative',
      jointControllers: 'Joint controllers',
    },
    sheet: 'Register',
    mandatoryColumn: 'Mandatory column (Art. 30 GDPR)',
    what: {
      purpose: 'description of the purpose',
      subjects: 'categories of data subjects',
      data: 'categories of data',
      categories: 'categories of processing',
    },
  },
});
addMessages('registerText', REGISTER_TEXT);

/** A register sentence in its language. */
export const registerText = (lang: RegisterLang, key: string, vars: Record<string, unknown> = {}) =>
  message(lang, `registerText.${key}`, vars);
