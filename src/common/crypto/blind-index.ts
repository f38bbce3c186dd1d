import { createHmac } from 'node:crypto';
import { IDENTIFIER_KINDS, type IdentifierKind } from '../identifiers/normalise';

// Identifiers are stored encrypted under per-subject keys, so the database cannot search them. A blind
// index is a keyed hash of the normalised value: equal identifiers give equal indexes, and without the
// key a stolen table cannot be reversed by hashing a list of known e-mails or every Polish mobile number
// (about 10^8 of them: a plain SHA-256 would fall in seconds).

const MIN_KEY_BYTES = 32;

/**
 * HMAC-SHA256(key, kind + "\0" + value). The kind prefix keeps an e-mail and an external id with the
 * same text apart, so a shop id that happens to look like an e-mail cannot match someone's address.
 * `value` must come from the matching `normalise*` function, or two spellings of one address would
 * index differently.
 */
export function blindIndex(key: Buffer, kind: IdentifierKind, normalisedValue: string): Buffer {
  return keyedHash(key, kind, normalisedValue);
}

/**
 * The hash kept on the suppression list, which survives erasure (PRODUCT.md 3: a re-imported e-mail
 * stays suppressed). Pass the `suppression` key, never the blind-index key: with different keys the
 * list cannot be joined to the subjects' index to tell which erased person a suppression belongs to.
 */
export function suppressionHash(saltKey: Buffer, kind: IdentifierKind, normalisedValue: string): string {
  return keyedHash(saltKey, kind, normalisedValue).toString('hex');
}

function keyedHash(key: Buffer, kind: IdentifierKind, value: string): Buffer {
  if (!Buffer.isBuffer(key) || key.length < MIN_KEY_BYTES) {
    throw new TypeError(`A lookup key must be a Buffer of at least ${MIN_KEY_BYTES} bytes`);
  }
  if (!IDENTIFIER_KINDS.includes(kind)) throw new TypeError('Unknown identifier kind');
  // Every empty value would share one index entry and match each other.
  if (typeof value !== 'string' || value === '') throw new TypeError('Cannot index an empty value');
  return createHmac('sha256', key).update(`${kind}\0${value}`, 'utf8').digest();
}
