import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { REPORTING_ZONE } from './breach-deadline';

// Own instance: helpers registered here never leak into other modules' templates.
const hbs = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/**
 * Renders a template shipped beside this file (`templates/...`, copied to the build by nest-cli assets).
 * Strict: a field missing from the model is an error, not a silent blank in a document sent to UODO.
 */
export function renderBreachTemplate(name: string, model: object): string {
  let template = compiled.get(name);
  if (!template) {
    // Only HTML is escaped: the PDF's line markup is plain text, escaped by `escapePdfMarkup` instead.
    const noEscape = !name.endsWith('.html.hbs');
    template = hbs.compile(readFileSync(join(__dirname, 'templates', name), 'utf8'), { strict: true, noEscape });
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
