// The public surface of the rendering module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { EMAIL_LOCALES, formatDateTime, formatDay, requestTypeLabel, TemplateRenderError } from './helpers';
export type { EmailLocale } from './helpers';
export {
  addMessages,
  defineStrings,
  flatten,
  hasMessage,
  interpolate,
  message,
  messageOr,
  PAGE_LANGS,
} from './messages';
export type { Catalogue, PageLang, StringTree } from './messages';
export {
  compileTemplate,
  parseTemplate,
  registerPartial,
  safeHtml,
  TEMPLATE_HELPER_NAMES,
} from './template-environment';
export type { CompiledTemplate, CompileOptions } from './template-environment';
