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

// The one catalogue, per language: each module adds the namespace of its own strings (pages, documents, e-mails).
const catalogue: Record<PageLang, Record<string, string>> = { pl: {}, en: {} };

/**
 * Adds a namespace of strings. Both languages must have exactly the same keys, and every message is parsed now, so
 * a broken one (an unclosed plural) stops the boot instead of one visitor's page or one person's e-mail.
 */
export function addMessages(namespace: string, strings: Catalogue): void {
  const pl = flatten(strings.pl, namespace);
  const en = flatten(strings.en, namespace);
  const missing = [...Object.keys(pl).filter((k) => !(k in en)), ...Object.keys(en).filter((k) => !(k in pl))];
  if (missing.length) throw new Error(`strings ${namespace}: not in both languages: ${missing.join(', ')}`);
  for (const lang of PAGE_LANGS) for (const text of Object.values(lang === 'pl' ? pl : en)) parseMessage(text, lang);
  Object.assign(catalogue.pl, pl);
  Object.assign(catalogue.en, en);
}

/** A string of the catalogue, filled; throws on an unknown key (a page or e-mail never shows a key). */
export function message(lang: PageLang, key: string, vars: Record<string, unknown> = {}): string {
  if (!hasMessage(lang, key)) throw new Error(`no string ${key}`);
  const text = catalogue[lang][key];
  return interpolate(text, vars, lang);
}

/** Whether the catalogue has this key (a word of Zgoda's own, as against a data system's own key shown as sent). */
export function hasMessage(lang: PageLang, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(catalogue[lang], key);
}

/** A word of the catalogue when it has one for this key, else `fallback` (a data system's own word, or null). */
export function messageOr<T>(lang: PageLang, key: string, fallback: T): string | T {
  return hasMessage(lang, key) ? message(lang, key) : fallback;
}
