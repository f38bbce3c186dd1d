import type { HelperOptions } from 'handlebars';
import { addMessages, defineStrings, messageOr } from './messages';

export const EMAIL_LOCALES = ['pl', 'en'] as const;
export type EmailLocale = (typeof EMAIL_LOCALES)[number];

// Dates a person reads are Warsaw dates: the legal clock counts days in the controller's calendar.
const ZONE = 'Europe/Warsaw';
const DATE_FORMAT: Record<EmailLocale, Intl.DateTimeFormat> = {
  pl: new Intl.DateTimeFormat('pl-PL', { dateStyle: 'long', timeZone: ZONE }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: ZONE }),
};
const DATE_TIME_FORMAT: Record<EmailLocale, Intl.DateTimeFormat> = {
  pl: new Intl.DateTimeFormat('pl-PL', { dateStyle: 'long', timeStyle: 'short', timeZone: ZONE }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: ZONE }),
};
const PLURAL: Record<EmailLocale, Intl.PluralRules> = {
  pl: new Intl.PluralRules('pl-PL'),
  en: new Intl.PluralRules('en-GB'),
};

/** Art. 15-21 request types as the subject reads them (LEGAL.md 12): the catalogue's namespace `requestType`. */
export const REQUEST_TYPE_STRINGS = defineStrings({
  pl: {
    access: 'dostęp do danych (art. 15 RODO)',
    rectification: 'sprostowanie danych (art. 16 RODO)',
    erasure: 'usunięcie danych (art. 17 RODO)',
    restriction: 'ograniczenie przetwarzania (art. 18 RODO)',
    portability: 'przeniesienie danych (art. 20 RODO)',
    objection: 'sprzeciw wobec przetwarzania (art. 21 RODO)',
  },
  en: {
    access: 'access to personal data (Art. 15 GDPR)',
    rectification: 'rectification (Art. 16 GDPR)',
    erasure: 'erasure (Art. 17 GDPR)',
    restriction: 'restriction of processing (Art. 18 GDPR)',
    portability: 'data portability (Art. 20 GDPR)',
    objection: 'objection to processing (Art. 21 GDPR)',
  },
});
addMessages('requestType', REQUEST_TYPE_STRINGS);

/** A request type in words, or null for a type that is not one of Art. 15-21. */
export function requestTypeLabel(type: string, locale: EmailLocale): string | null {
  return messageOr(locale, `requestType.${type}`, null);
}

export class TemplateRenderError extends Error {}

function localeOf(options: HelperOptions): EmailLocale {
  const locale = (options.data as { root?: { locale?: unknown } } | undefined)?.root?.locale;
  if (locale !== 'pl' && locale !== 'en') throw new TemplateRenderError('template rendered without a locale');
  return locale;
}

/** A helper's argument as a Date: an ISO string or a Date; anything else is an error, never "Invalid Date". */
function dateOf(value: unknown, helper: string): Date {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (!d || Number.isNaN(d.getTime())) throw new TemplateRenderError(`${helper} helper needs an ISO date`);
  return d;
}

/** `{{date dueDate}}`: a long local date ("15 marca 2026", "15 March 2026") from an ISO string or Date. */
export function dateHelper(value: unknown, options: HelperOptions): string {
  return formatDay(dateOf(value, 'date'), localeOf(options));
}

/** A long date in Europe/Warsaw, as the `date` helper prints it (for texts built outside a template). */
export function formatDay(d: Date, locale: EmailLocale): string {
  return DATE_FORMAT[locale].format(d);
}

/** `{{dateTime at}}`: a long date with the time in Warsaw ("7 grudnia 2026 16:05"), where the time matters. */
export function dateTimeHelper(value: unknown, options: HelperOptions): string {
  return formatDateTime(dateOf(value, 'dateTime'), localeOf(options));
}

/** Date and time in Europe/Warsaw, as the `dateTime` helper prints it (for texts built outside a template). */
export function formatDateTime(d: Date, locale: EmailLocale): string {
  return DATE_TIME_FORMAT[locale].format(d);
}

/**
 * `{{plural n one="minutę" few="minuty" many="minut"}}` (Polish) or `{{plural n one="minute" other="minutes"}}`:
 * Polish has three forms (1 minutę, 2-4 and 22-24 minuty, 5-21 minut), which `n === 1` cannot express.
 */
export function pluralHelper(count: unknown, options: HelperOptions): string {
  if (typeof count !== 'number' || !Number.isFinite(count)) throw new TemplateRenderError('plural needs a number');
  const forms = options.hash as Record<string, string | undefined>;
  const category = PLURAL[localeOf(options)].select(count);
  const form = forms[category] ?? forms.other;
  if (form === undefined) throw new TemplateRenderError(`plural has no "${category}" form`);
  return form;
}

/** `{{requestType type}}`: an unknown type is an error, caught when the e-mail is queued, not a blank. */
export function requestTypeHelper(type: unknown, options: HelperOptions): string {
  const label = typeof type === 'string' ? requestTypeLabel(type, localeOf(options)) : null;
  if (label === null) throw new TemplateRenderError('unknown request type');
  return label;
}
