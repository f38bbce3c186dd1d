import { DateTime } from 'luxon';
import { AuthorityNotificationDto, CreateBreachDto, SelectAffectedSubjectsDto, UpdateBreachDto } from '../breaches';
import type { BreachResponse } from '../breaches';
import { asDto, formInstant, formText } from './console-forms';
import { Form } from './console-pages';

/**
 * The breach forms as the API's own DTOs: a form is turned into the JSON body a client would send and run
 * through the same validation pipe, so the console cannot accept what the API refuses (and the field errors
 * name the same fields).
 */

export const BREACH_FIELDS = [
  'description',
  'awareAt',
  'occurredAt',
  'containedAt',
  'reportedBy',
  'systems',
  'dataCategories',
  'subjectCategories',
  'approxSubjects',
  'approxRecords',
  'likelyConsequences',
  'measuresTaken',
  'measuresProposed',
  'riskAssessment',
  'riskReasoning',
] as const;
export const NOTIFICATION_FIELDS = ['sentAt', 'phase', 'reference', 'delayReasons'] as const;
export const SELECTION_FIELDS = ['systems', 'dataCategories', 'from', 'to'] as const;

/** One checkbox per system, each under its own name (the form parser keeps one value per name). */
export const systemField = (key: string) => `system-${key}`;

const text = formText;
const orNull = (v: unknown) => text(v) || null;
const words = (v: unknown) =>
  text(v)
    .split(/[\s,;]+/)
    .filter(Boolean);
// Not digits: the raw text, which the DTO's IsInt refuses with the field named.
const count = (v: unknown) => (text(v) === '' ? null : /^\d{1,9}$/.test(text(v)) ? Number(text(v)) : text(v));
// Empty is null here: on an incident it clears the time.
const instant = (v: unknown) => formInstant(v) ?? null;

/** The `datetime-local` value of an instant, in Polish time (what the form shows and sends back). */
export function warsawLocal(iso: string | null): string {
  return iso ? DateTime.fromISO(iso).setZone('Europe/Warsaw').toFormat("yyyy-LL-dd'T'HH:mm") : '';
}

function checkedSystems(b: Form, systemKeys: readonly string[]): string[] {
  return systemKeys.filter((k) => b[systemField(k)] === 'yes');
}

function fields(b: Form, systemKeys: readonly string[]) {
  return {
    description: text(b.description),
    reportedBy: text(b.reportedBy),
    systems: checkedSystems(b, systemKeys),
    dataCategories: words(b.dataCategories),
    subjectCategories: words(b.subjectCategories),
    approxSubjects: count(b.approxSubjects),
    approxRecords: count(b.approxRecords),
    likelyConsequences: orNull(b.likelyConsequences),
    measuresTaken: orNull(b.measuresTaken),
    measuresProposed: orNull(b.measuresProposed),
    riskAssessment: orNull(b.riskAssessment),
    riskReasoning: orNull(b.riskReasoning),
  };
}

export async function createBody(b: Form, systemKeys: readonly string[]): Promise<CreateBreachDto> {
  const body = { ...fields(b, systemKeys), awareAt: instant(b.awareAt), occurredAt: instant(b.occurredAt) };
  return asDto(CreateBreachDto, body);
}

/**
 * The form shows every field, so every field is sent; but a time is sent only when its minute changed: the
 * picker has no seconds, and resending a rounded awareAt would rewrite when the controller became aware.
 */
export async function updateBody(b: Form, systemKeys: readonly string[], current: BreachResponse) {
  const changed = (field: 'awareAt' | 'occurredAt' | 'containedAt') => {
    const typed = text(b[field]);
    return typed === warsawLocal(current[field]) ? undefined : instant(typed);
  };
  const body: Record<string, unknown> = { ...fields(b, systemKeys) };
  for (const f of ['awareAt', 'occurredAt', 'containedAt'] as const) {
    const v = changed(f);
    if (v !== undefined) body[f] = v;
  }
  return asDto(UpdateBreachDto, body);
}

export async function notificationBody(b: Form): Promise<AuthorityNotificationDto> {
  const body = {
    sentAt: instant(b.sentAt),
    phase: text(b.phase),
    ...(text(b.reference) ? { reference: text(b.reference) } : {}),
    ...(text(b.delayReasons) ? { delayReasons: text(b.delayReasons) } : {}),
  };
  return asDto(AuthorityNotificationDto, body);
}

/** The selection criteria of the preview form, carried unchanged into its confirmation. */
export async function selectionBody(b: Form, systemKeys: readonly string[]): Promise<SelectAffectedSubjectsDto> {
  const body = {
    systems: checkedSystems(b, systemKeys),
    dataCategories: words(b.dataCategories),
    ...(text(b.from) ? { from: instant(b.from) } : {}),
    ...(text(b.to) ? { to: instant(b.to) } : {}),
  };
  return asDto(SelectAffectedSubjectsDto, body);
}
