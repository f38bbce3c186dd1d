import Handlebars, { HelperOptions } from 'handlebars';
import { dateHelper, dateTimeHelper, pluralHelper, requestTypeHelper, TemplateRenderError } from './helpers';
import { message, PAGE_LANGS, PageLang } from './messages';

/**
 * The one Handlebars environment (issue 15 item 7): pages, e-mails and documents (the register, the access package,
 * certificates, the breach report) are compiled here, with the same helpers and the same partials, and read their
 * words from the one catalogue (`{{t "ns.key" var=value}}`). Customer-authored consent texts are the one exception
 * (consent-template.ts): a sandbox, so a text typed into the admin API reaches neither these helpers nor the
 * partials.
 */
const hbs = Handlebars.create();
// No `log` helper: a template must not write to the service's log (it could print personal data).
hbs.unregisterHelper('log');

/** `{{t "ns.key" name=value}}` in the language of the render (`lang` on pages and documents, `locale` in e-mails). */
function translate(this: unknown, ...args: unknown[]): string {
  const options = args.pop() as HelperOptions;
  const root = (options.data as { root?: { lang?: unknown; locale?: unknown } } | undefined)?.root;
  const lang = (root?.lang ?? root?.locale) as PageLang | undefined;
  if (!lang || !PAGE_LANGS.includes(lang)) throw new TemplateRenderError('t helper used without a language');
  return message(lang, args.map(String).join('.'), options.hash as Record<string, unknown>);
}

const HELPERS = {
  t: translate,
  date: dateHelper,
  dateTime: dateTimeHelper,
  plural: pluralHelper,
  requestType: requestTypeHelper,
  eq: (a: unknown, b: unknown) => a === b,
  not: (a: unknown) => !a,
};
hbs.registerHelper(HELPERS);

/** Our helpers and Handlebars' block helpers: what a template may call. */
export const TEMPLATE_HELPER_NAMES: readonly string[] = [
  ...Object.keys(HELPERS),
  'if',
  'unless',
  'each',
  'with',
  'lookup',
];

export interface CompileOptions {
  /** Plain text and PDF line markup are not HTML-escaped (the markup is escaped by `escapePdfMarkup` instead). */
  noEscape?: boolean;
  /** E-mails: our helpers only, and nothing else that looks like one (a typo is an error, not a blank). */
  knownHelpersOnly?: boolean;
}

/** Strict always: a field missing from the model is an error, not a silent blank in a page, e-mail or document. */
export function compileTemplate(source: string | hbs.AST.Program, options: CompileOptions = {}) {
  return hbs.compile(source, {
    strict: true,
    noEscape: options.noEscape ?? false,
    ...(options.knownHelpersOnly
      ? { knownHelpersOnly: true, knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((h) => [h, true])) }
      : {}),
  });
}

/** Parses a template (its syntax checked, its names read) without compiling it. */
export function parseTemplate(source: string): hbs.AST.Program {
  return hbs.parse(source);
}

/** A partial every template can include: `{{> name}}` for the shared layout's, `{{> module/name}}` for a module's. */
export function registerPartial(name: string, source: string): void {
  hbs.registerPartial(name, source);
}

/** HTML already escaped (a rendered body put into a layout). */
export function safeHtml(html: string): Handlebars.SafeString {
  return new hbs.SafeString(html);
}

export type CompiledTemplate = Handlebars.TemplateDelegate;
