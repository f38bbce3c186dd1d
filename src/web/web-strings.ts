import IntlMessageFormat, { ErrorCode } from 'intl-messageformat';

/** A string a person reads: `{name}` placeholders are filled from the helper's hash or `text()`'s vars. */
export type StringTree = { [key: string]: string | StringTree };

/**
 * One catalogue per namespace, Polish first: English must have the same keys (the compiler checks the
 * shape, `web-strings.spec.ts` the leaves), so no page can show a half-translated screen.
 */
export interface Catalogue<T extends StringTree = StringTree> {
  pl: T;
  en: T;
}

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

/** `defineStrings({ pl: {...}, en: {...} })`: the compiler refuses an English tree with other keys. */
export function defineStrings<T extends StringTree>(c: { pl: T; en: NoInfer<Shape<T>> }): Catalogue<T> {
  return c as Catalogue<T>;
}

export type PageLang = 'pl' | 'en';
export const PAGE_LANGS: readonly PageLang[] = ['pl', 'en'];

export function flatten(tree: StringTree, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out[key] = v;
    else flatten(v, key, out);
  }
  return out;
}

const compiled = new Map<string, IntlMessageFormat>();

/** The compiled message (cached); throws on a malformed one. */
export function parseMessage(text: string, lang: PageLang): IntlMessageFormat {
  const key = `${lang}\u0000${text}`;
  let message = compiled.get(key);
  if (!message) {
    // Tags are text here: a catalogue string never carries markup, and `<` must not start one.
    message = new IntlMessageFormat(text, lang, undefined, { ignoreTag: true });
    compiled.set(key, message);
  }
  return message;
}

/**
 * Fills an ICU message: `{name}` placeholders and `{count, plural, one {# wpis} few {# wpisy} many {# wpisów}
 * other {# wpisu}}`, with the CLDR plural rules of the page's language. Texts come from the catalogues only, so
 * the cache of compiled messages is bounded by them. A missing value throws: a page never shows a raw `{name}`.
 */
export function interpolate(text: string, vars: Record<string, unknown>, lang: PageLang = 'pl'): string {
  if (!text.includes('{')) return text;
  const message = parseMessage(text, lang);
  try {
    return String(message.format(vars as Record<string, string | number>));
  } catch (e) {
    // The library throws a plain Error with code MISSING_VALUE (not its MissingValueError class), naming the
    // variable only in its message.
    if ((e as { code?: unknown }).code === ErrorCode.MISSING_VALUE)
      throw new Error(`missing value for {${/"([^"]+)"/.exec((e as Error).message)?.[1]}}`);
    throw e;
  }
}

/** Strings of the shared layout and error pages. */
export const WEB_STRINGS = defineStrings({
  pl: {
    skip: 'Przejdź do treści',
    language: 'Język',
    switchTo: 'English',
    switchLang: 'en',
    footer: 'Administrator Twoich danych osobowych: {company}',
    logout: 'Wyloguj',
    logoAlt: 'Logo: {company}',
    nav: 'Nawigacja',
    error: {
      title: 'Coś poszło nie tak',
      generic: 'Nie udało się obsłużyć tej strony. Spróbuj ponownie za chwilę.',
      notFound: 'Nie znaleźliśmy tej strony.',
      notFoundTitle: 'Nie znaleziono',
      invalidLinkTitle: 'Nieprawidłowy link',
      invalidLink: 'Ten link jest nieprawidłowy, został już użyty albo wygasł.',
      csrfTitle: 'Formularz wygasł',
      csrf: 'Ze względów bezpieczeństwa formularz wygasł. Wróć, odśwież stronę i wyślij go ponownie.',
      forbiddenTitle: 'Brak dostępu',
      forbidden: 'Nie masz uprawnień do tej strony.',
      rateLimitedTitle: 'Zbyt wiele prób',
      rateLimited: 'Wysłano zbyt wiele żądań. Odczekaj minutę i spróbuj ponownie.',
      badRequestTitle: 'Nieprawidłowe dane',
      badRequest: 'Przesłane dane są nieprawidłowe. Wróć i popraw formularz.',
      back: 'Wróć na stronę główną',
    },
  },
  en: {
    skip: 'Skip to content',
    language: 'Language',
    switchTo: 'Polski',
    switchLang: 'pl',
    footer: 'Controller of your personal data: {company}',
    logout: 'Log out',
    logoAlt: 'Logo: {company}',
    nav: 'Navigation',
    error: {
      title: 'Something went wrong',
      generic: 'We could not handle this page. Please try again in a moment.',
      notFound: 'We could not find this page.',
      notFoundTitle: 'Not found',
      invalidLinkTitle: 'Invalid link',
      invalidLink: 'This link is not valid, has already been used or has expired.',
      csrfTitle: 'The form has expired',
      csrf: 'For your security the form has expired. Go back, reload the page and send it again.',
      forbiddenTitle: 'No access',
      forbidden: 'You do not have permission to see this page.',
      rateLimitedTitle: 'Too many attempts',
      rateLimited: 'Too many requests were sent. Wait a minute and try again.',
      badRequestTitle: 'Invalid data',
      badRequest: 'The data sent is not valid. Go back and correct the form.',
      back: 'Back to the home page',
    },
  },
});
