export type RegisterLang = 'pl' | 'en';
export const REGISTER_LANGS: readonly RegisterLang[] = ['pl', 'en'];
export type RegisterRole = 'controller' | 'processor';
export const REGISTER_ROLES: readonly RegisterRole[] = ['controller', 'processor'];
export const REGISTER_FORMATS = ['json', 'jsonld', 'csv', 'xlsx', 'html', 'pdf'] as const;
export type RegisterFormat = (typeof REGISTER_FORMATS)[number];

export interface RegisterColumn {
  key: string;
  pl: string;
  en: string;
  /** Art. 30(1) or 30(2) requires it: an empty value is a gap, never a blank cell. */
  mandatory: boolean;
}

/**
 * The UODO template columns, in UODO's order (LEGAL item 28). The Polish headers are printed exactly as
 * UODO writes them: a DPO pastes the rows into that template, and an inspector reads them side by side.
 */
export const CONTROLLER_COLUMNS: readonly RegisterColumn[] = [
  { key: 'lp', pl: 'Lp.', en: 'No.', mandatory: true },
  { key: 'name', pl: 'Nazwa czynności przetwarzania', en: 'Processing activity', mandatory: true },
  { key: 'unit', pl: 'Jednostka organizacyjna', en: 'Organisational unit', mandatory: false },
  { key: 'purpose', pl: 'Cel przetwarzania', en: 'Purpose of processing', mandatory: true },
  { key: 'subjects', pl: 'Kategorie osób', en: 'Categories of data subjects', mandatory: true },
  { key: 'data', pl: 'Kategorie danych', en: 'Categories of personal data', mandatory: true },
  { key: 'legalBasis', pl: 'Podstawa prawna', en: 'Legal basis', mandatory: false },
  { key: 'source', pl: 'Źródło danych', en: 'Source of the data', mandatory: false },
  {
    key: 'erasure',
    pl: 'Planowany termin usunięcia kategorii danych',
    en: 'Envisaged time limits for erasure',
    mandatory: true,
  },
  {
    key: 'jointControllers',
    pl: 'Nazwa współadministratora i dane kontaktowe',
    en: 'Joint controller name and contact details',
    mandatory: true,
  },
  {
    key: 'processors',
    pl: 'Nazwa podmiotu przetwarzającego i dane kontaktowe',
    en: 'Processor name and contact details',
    mandatory: false,
  },
  { key: 'recipients', pl: 'Kategorie odbiorców', en: 'Categories of recipients', mandatory: true },
  { key: 'systems', pl: 'Nazwa systemu lub oprogramowania', en: 'System or software', mandatory: false },
  {
    key: 'security',
    pl: 'Ogólny opis technicznych i organizacyjnych środków bezpieczeństwa',
    en: 'General description of technical and organisational security measures',
    mandatory: true,
  },
  { key: 'dpia', pl: 'DPIA', en: 'DPIA', mandatory: false },
  {
    key: 'transfers',
    pl: 'Transfer do państwa trzeciego lub organizacji międzynarodowej',
    en: 'Transfer to a third country or an international organisation',
    mandatory: true,
  },
  {
    key: 'transferDocumentation',
    pl: 'Dokumentacja zabezpieczeń (art. 49)',
    en: 'Documentation of suitable safeguards (Art. 49)',
    mandatory: false,
  },
];

/** Art. 30(2): the register of categories of processing a processor keeps, one row per controller served. */
export const PROCESSOR_COLUMNS: readonly RegisterColumn[] = [
  { key: 'lp', pl: 'Lp.', en: 'No.', mandatory: true },
  {
    key: 'controller',
    pl: 'Nazwa administratora i dane kontaktowe',
    en: 'Controller name and contact details',
    mandatory: true,
  },
  {
    key: 'representative',
    pl: 'Przedstawiciel administratora i dane kontaktowe',
    en: "Controller's representative and contact details",
    mandatory: false,
  },
  {
    key: 'controllerDpo',
    pl: 'Inspektor ochrony danych administratora',
    en: "Controller's data protection officer",
    mandatory: false,
  },
  {
    key: 'categories',
    pl: 'Kategorie przetwarzań dokonywanych w imieniu administratora',
    en: 'Categories of processing carried out on behalf of the controller',
    mandatory: true,
  },
  { key: 'systems', pl: 'Nazwa systemu lub oprogramowania', en: 'System or software', mandatory: false },
  {
    key: 'transfers',
    pl: 'Transfer do państwa trzeciego lub organizacji międzynarodowej',
    en: 'Transfer to a third country or an international organisation',
    mandatory: true,
  },
  {
    key: 'security',
    pl: 'Ogólny opis technicznych i organizacyjnych środków bezpieczeństwa',
    en: 'General description of technical and organisational security measures',
    mandatory: true,
  },
];

export const columnsFor = (role: RegisterRole): readonly RegisterColumn[] =>
  role === 'controller' ? CONTROLLER_COLUMNS : PROCESSOR_COLUMNS;
