import type { FastifyReply, FastifyRequest } from 'fastify';
import { validationPipe } from '../common/validation/validation-pipe';
import { ProblemError } from '../common/problem/problem.error';
import type { PageLang } from '../rendering';
import { TOLD_OFFLINE } from '../common/validation/told-by';
import { Form, isRefusal, warsawInstant } from './console-pages';
import { type ConsoleView, redirect } from './console-view';

/**
 * A refused form comes back as the same page (422) with each error under its own field, in the page's
 * language, and the values typed kept (never a password): a person fixes the field, not guesses it.
 * Every field the template reads is in the map, null when it is fine (the templates are strict).
 */
export type FieldErrors = Record<string, string | null>;

export function noErrors(fields: readonly string[]): FieldErrors {
  return Object.fromEntries(fields.map((f) => [f, null]));
}

/** What a template reads of a form: the values typed and the errors when it came back refused, else empty ones. */
export function formModel(fields: readonly string[], back: { values: Form; errors: FieldErrors } | null) {
  return {
    values: Object.fromEntries(fields.map((f) => [f, back ? (back.values[f] ?? '') : ''])),
    errors: back ? back.errors : noErrors(fields),
  };
}

/** A select's options or a radio group's buttons: none chosen unless the form came back with one (nothing decided for staff). */
export function choices(values: readonly string[], label: (v: string) => string, picked: string | undefined) {
  return values.map((value) => ({ value, label: label(value), selected: value === picked, checked: value === picked }));
}

/** How staff told a person without an e-mail address (Art. 12(3), 18(3)), as the forms offer it. */
export function toldByChoices(view: ConsoleView, lang: PageLang, picked: string | undefined) {
  const key = (w: string) => `request.toldBy${w === 'in_person' ? 'InPerson' : w[0].toUpperCase() + w.slice(1)}`;
  return choices(TOLD_OFFLINE, (w) => view.t(lang, key(w)), picked);
}

/** The field errors a refusal names, or null when it is not about the form's fields (the caller rethrows). */
export function fieldErrors(
  view: ConsoleView,
  lang: PageLang,
  fields: readonly string[],
  e: unknown,
  /** Refusals about one field that carry their own code (e.g. a late notification without its reasons). */
  codeFields: Record<string, string> = {},
  /** A field whose sentence is not the shared one of its name (a `reason` for an extension is not a hold's). */
  textKeys: Record<string, string> = {},
  /** The form's field for a DTO's nested path (`source.method` is the form's `method`). */
  fromDto: Record<string, string> = {},
): FieldErrors | null {
  if (!(e instanceof ProblemError)) return null;
  const errors = noErrors(fields);
  const field = codeFields[e.code];
  if (field && fields.includes(field)) {
    errors[field] = view.t(lang, `field.${e.code}`);
    return errors;
  }
  // The new password's field: `password` where an admin sets one, `newPassword` where one changes one's own.
  const passwordField = fields.find((f) => f === 'password' || f === 'newPassword');
  if (e.code === 'weak_password' && passwordField) {
    const min = e.extras.minLength;
    const rules = ((e.extras.problems as string[] | undefined) ?? []).map((p) =>
      view.t(lang, `passwordRule.${p}`, { min }),
    );
    errors[passwordField] = view.t(lang, 'field.weakPassword', { rules: rules.join(', ') });
    return errors;
  }
  if (e.code === 'validation_failed') {
    const named = (e.extras.errors ?? []).map((f) => fromDto[f.field] ?? f.field).filter((f) => fields.includes(f));
    if (!named.length) return null;
    for (const f of named) errors[f] = fieldText(view, lang, textKeys[f] ?? f);
    return errors;
  }
  return null;
}

/** A form's own check failed: the one field named, in the page's language. */
export function invalidField(field: string): ProblemError {
  return new ProblemError('validation_failed', 'The form is not valid.', {
    errors: [{ field, message: `${field} is not valid` }],
  });
}

function fieldText(view: ConsoleView, lang: PageLang, field: string): string {
  // A field without its own sentence still gets one in the page's language, never the validator's English.
  return view.textOrNull(lang, `field.${field}`) ?? view.t(lang, 'field.other');
}

/**
 * A form post, Post/Redirect/Get: after the change, to where `run` says (a notice key on `page`, or a path); a
 * refusal about the form's fields brings the page back with the reasons under them (422, `sendBack`); any other
 * refusal goes back to `page` with the problem named; a fault goes on to the error page.
 */
export async function submitForm(
  view: ConsoleView,
  req: FastifyRequest,
  reply: FastifyReply,
  form: {
    fields: readonly string[];
    codeFields?: Record<string, string>;
    textKeys?: Record<string, string>;
    fromDto?: Record<string, string>;
    page: string;
    run: () => Promise<string>;
    sendBack: (errors: FieldErrors) => Promise<string>;
  },
): Promise<void> {
  let next: string;
  try {
    next = await form.run();
  } catch (e) {
    const errors = fieldErrors(
      view,
      view.lang(req, reply),
      form.fields,
      e,
      form.codeFields,
      form.textKeys,
      form.fromDto,
    );
    if (errors) return void reply.send(await form.sendBack(errors));
    if (!isRefusal(e)) throw e;
    return redirect(reply, `${form.page}?problem=${e.code}`);
  }
  redirect(reply, next.startsWith('/') ? next : `${form.page}?notice=${next}`);
}

/** A form field's text, trimmed ('' when absent). */
export const formText = (v: unknown): string => String(v ?? '').trim();

/**
 * A `datetime-local` field as the instant it names in Polish time; undefined when empty. A value the picker could
 * not have produced is passed on as typed, so the DTO refuses it with the field named.
 */
export const formInstant = (v: unknown): string | undefined =>
  formText(v) ? (warsawInstant(formText(v)) ?? formText(v)) : undefined;

/** A form as the API's DTO, through the same validation pipe: the console accepts exactly what the API accepts. */
export async function asDto<T extends object>(metatype: new () => T, body: object): Promise<T> {
  return (await validationPipe.transform(body, { type: 'body', metatype })) as T;
}
