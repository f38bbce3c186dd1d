import { IdentifierKind, InvalidIdentifierError, normaliseIdentifier } from '../common/identifiers/normalise';
import { FieldError, ProblemError } from '../common/problem/problem.error';

// Pure rules of the subjects module: what a valid subject looks like, and the dates derived from it.

export type SubjectLocale = 'pl' | 'en';
export const SUBJECT_LOCALES: readonly SubjectLocale[] = ['pl', 'en'];

/** Art. 8(1) GDPR: Poland kept the default age of 16 for consent to information society services. */
export const AGE_OF_DIGITAL_CONSENT = 16;

/** The codes of Art. 18(1)(a)-(d), the only grounds on which processing is restricted. */
export const RESTRICTION_GROUNDS = [
  'accuracy_contested',
  'unlawful_processing',
  'legal_claims',
  'objection_pending',
] as const;

/**
 * Art. 17(3): the grounds on which data may be kept despite an erasure request, (a) to (e). Persisted: never
 * rename a value.
 */
export const HOLD_BASES = [
  'freedom_of_expression',
  'legal_obligation',
  'public_health',
  'archiving_research',
  'legal_claims',
] as const;
export type HoldBasis = (typeof HOLD_BASES)[number];

export interface IdentifierInput {
  field: 'email' | 'phone' | 'externalId';
  kind: IdentifierKind;
  /** Normalised value: the input of the blind index and of the suppression hash. */
  value: string;
  /** Data system of an external id; '' for none. */
  systemKey: string;
}

const FIELD_KIND: Record<IdentifierInput['field'], IdentifierKind> = {
  email: 'email',
  phone: 'phone',
  externalId: 'external_id',
};

const SYSTEM_KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Normalises the identifiers given for a subject. Every invalid one is reported at once, by field
 * name and rule only: the values are personal data and must not reach the response or the logs.
 */
export function normaliseIdentifiers(input: {
  email?: string | null;
  phone?: string | null;
  externalId?: string | null;
  externalSystem?: string | null;
  /** The external id is being removed: a system without a value is then expected. */
  externalSystemOnly?: boolean;
}): IdentifierInput[] {
  const out: IdentifierInput[] = [];
  const errors: FieldError[] = [];
  for (const field of ['email', 'phone', 'externalId'] as const) {
    const raw = input[field];
    if (raw === undefined || raw === null) continue;
    try {
      const kind = FIELD_KIND[field];
      const systemKey = field === 'externalId' ? (input.externalSystem ?? '') : '';
      out.push({ field, kind, value: normaliseIdentifier(kind, raw), systemKey });
    } catch (e) {
      if (!(e instanceof InvalidIdentifierError)) throw e;
      errors.push({ field, message: `${field} is not valid: ${e.reason}` });
    }
  }
  if (input.externalSystem !== undefined && input.externalSystem !== null) {
    if (!SYSTEM_KEY.test(input.externalSystem)) {
      errors.push({ field: 'externalSystem', message: 'externalSystem must be a system key (a lower-case slug)' });
    } else if (input.externalId === undefined && !input.externalSystemOnly) {
      errors.push({ field: 'externalSystem', message: 'externalSystem needs an externalId' });
    }
  }
  if (errors.length) throw new ProblemError('invalid_identifier', 'An identifier is not valid.', { errors });
  return out;
}

/** Parses `YYYY-MM-DD` into a real calendar date no later than today; throws `validation_failed`. */
export function parseBirthDate(raw: string, today: string): string {
  const m = ISO_DATE.exec(raw);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  // Date.UTC rolls 2001-02-30 over to March: the round trip catches dates that do not exist.
  const valid = !!date && date.toISOString().slice(0, 10) === raw && raw >= '1900-01-01' && raw <= today;
  if (!valid) {
    throw new ProblemError('validation_failed', 'The request is not valid.', {
      errors: [{ field: 'birthDate', message: 'birthDate must be a past date as YYYY-MM-DD' }],
    });
  }
  return raw;
}

/**
 * The day the subject turns 16, or null when that day is not after `today` (already of age). Polish
 * civil code Art. 112: an age is reached at the start of the birthday; someone born on 29 February
 * reaches it on 28 February in a common year.
 */
export function minorUntil(birthDate: string, today: string): string | null {
  const [y, m, d] = birthDate.split('-').map(Number);
  const year = y + AGE_OF_DIGITAL_CONSENT;
  const lastOfMonth = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const day = Math.min(d, lastOfMonth);
  const date = `${year}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return date > today ? date : null;
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function parseLocale(raw: string): SubjectLocale {
  if ((SUBJECT_LOCALES as readonly string[]).includes(raw)) return raw as SubjectLocale;
  throw new ProblemError('validation_failed', 'The request is not valid.', {
    errors: [{ field: 'locale', message: 'locale must be one of: pl, en' }],
  });
}
