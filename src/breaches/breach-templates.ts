import { compileTemplate, CompiledTemplate } from '../rendering';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { REPORTING_ZONE } from './breach-deadline';

const compiled = new Map<string, CompiledTemplate>();

/**
 * Renders a template shipped beside this file (`templates/...`, copied to the build by nest-cli assets).
 * Strict: a field missing from the model is an error, not a silent blank in a document sent to UODO.
 */
export function renderBreachTemplate(name: string, model: object): string {
  let template = compiled.get(name);
  if (!template) {
    // Only HTML is escaped: the PDF's line markup is plain text, escaped by `escapePdfMarkup` instead.
    const noEscape = !name.endsWith('.html.hbs');
    template = compileTemplate(readFileSync(join(__dirname, 'templates', name), 'utf8'), { noEscape });
    compiled.set(name, template);
  }
  return template(model);
}

/** Dates as a Polish reader expects them: local time in Warsaw, with the zone named. */
export function formatDate(d: Date | null, locale: 'pl' | 'en'): string | null {
  if (!d) return null;
  const local = DateTime.fromJSDate(d).setZone(REPORTING_ZONE);
  return locale === 'pl'
    ? `${local.toFormat('dd.MM.yyyy, HH:mm')} (czas polski)`
    : `${local.toFormat('d LLL yyyy, HH:mm', { locale: 'en' })} (Polish time)`;
}
