import { domainToASCII } from 'node:url';
// `max` metadata: with the default `min` metadata `isValid()` only checks the length, so a typo such as
// 999 999 999 would become a valid identifier of nobody (or of somebody else). The price is that a
// freshly assigned number range is rejected until libphonenumber-js is upgraded.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type IdentifierKind = 'email' | 'phone' | 'external_id';

export const IDENTIFIER_KINDS: readonly IdentifierKind[] = ['email', 'phone', 'external_id'];

/**
 * The message names the kind and the rule that failed, never the value: these errors end up in logs
 * and in problem+json responses, where an e-mail or a phone number is personal data.
 */
export class InvalidIdentifierError extends Error {
  constructor(
    readonly kind: IdentifierKind,
    readonly reason: string = 'malformed',
  ) {
    super(`Invalid ${kind}: ${reason}`);
    this.name = 'InvalidIdentifierError';
  }
}

// RFC 5321 4.5.3.1: a path is at most 256 octets including the angle brackets.
const EMAIL_MAX_OCTETS = 254;
const EMAIL_LOCAL_MAX_OCTETS = 64;
const DOMAIN_LABEL_MAX_OCTETS = 63;
// Checked on the raw input before any work, so a megabyte pasted into a form costs nothing.
const RAW_MAX_LENGTH = 1024;
// Unquoted local parts never contain these; they mean a pasted display name ("Jan <jan@x.pl>"), a list
// ("a@x.pl, b@x.pl") or a quoted local part, which we do not support.
const EMAIL_FORBIDDEN = /[\s\p{Cc}\p{Cf}<>()[\]\\,;:"]/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;

/**
 * Canonical form of an e-mail address, the input of its blind index and suppression hash.
 *
 * The whole address is lower-cased, local part included. RFC 5321 allows a case-sensitive local part,
 * but every mainstream provider treats it case-insensitively, and the same person typing `Jan@` in the
 * shop and `jan@` on the portal must be one subject: otherwise their withdrawal or erasure request
 * misses the consent recorded under the other spelling.
 *
 * Dots and `+tags` are deliberately kept: `jan.kowalski@` and `jankowalski@` are one mailbox at Gmail
 * but two different people at other providers, and merging two people would hand one of them the
 * other's data in an access request (Art. 15) or erase the wrong person.
 */
export function normaliseEmail(raw: string): string {
  const trimmed = requireString(raw, 'email').trim();
  if (trimmed.length === 0) throw new InvalidIdentifierError('email', 'empty');
  if (trimmed.length > RAW_MAX_LENGTH) throw new InvalidIdentifierError('email', 'too long');

  // NFC first so that a composed "ą" and "a" + combining ogonek compare equal; again after lower-casing
  // because case mapping can produce decomposed sequences (e.g. "İ").
  const value = trimmed.normalize('NFC').toLowerCase().normalize('NFC');

  if (Buffer.byteLength(value, 'utf8') > EMAIL_MAX_OCTETS) {
    throw new InvalidIdentifierError('email', 'too long');
  }
  if (EMAIL_FORBIDDEN.test(value)) {
    throw new InvalidIdentifierError('email', 'contains spaces or forbidden characters');
  }
  const at = value.indexOf('@');
  if (at === -1 || at !== value.lastIndexOf('@')) {
    throw new InvalidIdentifierError('email', 'must contain exactly one @');
  }
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length === 0) throw new InvalidIdentifierError('email', 'empty local part');
  if (Buffer.byteLength(local, 'utf8') > EMAIL_LOCAL_MAX_OCTETS) {
    throw new InvalidIdentifierError('email', 'local part too long');
  }
  if (local.startsWith('.') || local.endsWith('.')) {
    throw new InvalidIdentifierError('email', 'local part starts or ends with a dot');
  }
  const labels = domain.split('.');
  if (labels.length < 2) throw new InvalidIdentifierError('email', 'domain must contain a dot');
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) {
    throw new InvalidIdentifierError('email', 'malformed domain');
  }
  // A numeric last label makes the "domain" an IP address; no provider hands out mailboxes on those.
  if (/^\p{Nd}+$/u.test(labels[labels.length - 1])) {
    throw new InvalidIdentifierError('email', 'top-level domain is numeric');
  }
  // DNS limits apply to the ASCII (punycode) form of an international domain, and IDNA refuses what
  // no resolver would accept; the address itself is kept in Unicode, as the person typed it.
  const ascii = domainToASCII(domain);
  if (ascii === '' || ascii.split('.').some((label) => label.length > DOMAIN_LABEL_MAX_OCTETS)) {
    throw new InvalidIdentifierError('email', 'malformed domain');
  }
  return value;
}

// Digits in any script (libphonenumber folds full-width and Arabic-Indic digits), `+`, and the
// punctuation people put in numbers. No letters: libphonenumber would otherwise pull a number out of
// free text ("call 600 100 200") or decode vanity letters, and it would silently drop an extension,
// so two different identifiers would collapse into one.
const PHONE_ALLOWED = /^[\p{Nd}+\s().\/\-\u2010-\u2015]+$/u;
const PHONE_RAW_MAX_LENGTH = 64;

/**
 * E.164 form of a phone number (`+48600100200`). A number without a country code is read in
 * `defaultRegion`: the first installations are Polish shops whose customers type `600 100 200`.
 */
export function normalisePhone(raw: string, defaultRegion: CountryCode = 'PL'): string {
  const trimmed = requireString(raw, 'phone').trim();
  if (trimmed.length === 0) throw new InvalidIdentifierError('phone', 'empty');
  if (trimmed.length > PHONE_RAW_MAX_LENGTH) throw new InvalidIdentifierError('phone', 'too long');
  if (!PHONE_ALLOWED.test(trimmed)) {
    throw new InvalidIdentifierError('phone', 'contains characters other than digits and separators');
  }
  let parsed;
  try {
    parsed = parsePhoneNumberFromString(trimmed, defaultRegion);
  } catch {
    // Only an unknown default region makes the parser throw; that is a programming error, but it
    // must still not surface the number.
    throw new InvalidIdentifierError('phone', 'cannot be parsed');
  }
  if (!parsed || !parsed.isValid()) throw new InvalidIdentifierError('phone', 'not a valid number');
  if (parsed.ext) throw new InvalidIdentifierError('phone', 'extensions are not supported');
  return parsed.number;
}

const EXTERNAL_ID_MAX_LENGTH = 200;
// Control characters are never part of a real id; a newline or NUL is an injection attempt or a
// broken export, and would be invisible in the console.
const EXTERNAL_ID_FORBIDDEN = /[\p{Cc}]/u;

/**
 * An id that another system (shop, CRM) uses for the person. It is opaque: kept case-sensitive and
 * otherwise untouched, because `AB12` and `ab12` may be two customers there.
 */
export function normaliseExternalId(raw: string): string {
  const value = requireString(raw, 'external_id').trim();
  if (value.length === 0) throw new InvalidIdentifierError('external_id', 'empty');
  // Counted in code points, the unit a person reading "max 200 characters" counts in.
  if (value.length > EXTERNAL_ID_MAX_LENGTH * 2 || [...value].length > EXTERNAL_ID_MAX_LENGTH) {
    throw new InvalidIdentifierError('external_id', `longer than ${EXTERNAL_ID_MAX_LENGTH} characters`);
  }
  if (EXTERNAL_ID_FORBIDDEN.test(value)) {
    throw new InvalidIdentifierError('external_id', 'contains control characters');
  }
  return value;
}

/** Dispatch by kind, for callers that receive `{ kind, value }` pairs (lookups, imports). */
export function normaliseIdentifier(kind: IdentifierKind, raw: string): string {
  switch (kind) {
    case 'email':
      return normaliseEmail(raw);
    case 'phone':
      return normalisePhone(raw);
    case 'external_id':
      return normaliseExternalId(raw);
    default:
      return assertNever(kind);
  }
}

function requireString(raw: unknown, kind: IdentifierKind): string {
  // Callers are typed, but values arrive from JSON bodies and CSV imports.
  if (typeof raw !== 'string') throw new InvalidIdentifierError(kind, 'not a string');
  return raw;
}

function assertNever(kind: never): never {
  throw new TypeError(`Unknown identifier kind: ${String(kind)}`);
}
