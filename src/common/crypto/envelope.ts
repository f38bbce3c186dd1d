import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_BYTES, type MasterKeyring } from './keyring';

// LEGAL.md 31 / PRODUCT.md 4: every subject's personal data is encrypted under that subject's own data
// key (DEK), and the DEK is stored wrapped under a master-derived key. Erasure destroys the wrapped DEK,
// which makes every copy of the subject's ciphertext, backups included, unreadable for good.

export const FORMAT_VERSION = 1;
const IV_BYTES = 12; // the GCM nonce size that needs no extra GHASH step (NIST SP 800-38D 8.2)
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

export type DecryptionFailure = 'malformed' | 'unsupported_format' | 'authentication_failed' | 'unknown_key_version';

/**
 * A ciphertext that cannot be opened. It never carries plaintext, key material or the underlying
 * OpenSSL error, only why, so it is safe to log and to turn into a problem+json response.
 */
export class DecryptionError extends Error {
  constructor(
    readonly reason: DecryptionFailure,
    message = `Decryption failed: ${reason}`,
  ) {
    super(message);
    this.name = 'DecryptionError';
  }
}

export interface WrappedDataKey {
  readonly wrapped: Buffer;
  readonly keyVersion: number;
}

export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Associated data of an encrypted column. Binding the ciphertext to its row and column means a person
 * with write access to the database cannot copy one subject's encrypted e-mail into another subject's
 * row, or swap the phone and e-mail columns, without decryption failing.
 */
export function fieldAad(subjectId: string, column: string): string {
  // `:` is the separator; allowing it in the subject id would make "a:b" + "c" equal "a" + "b:c".
  if (subjectId === '' || subjectId.includes(':')) throw new TypeError('fieldAad: invalid subject id');
  if (column === '') throw new TypeError('fieldAad: empty column');
  return `${subjectId}:${column}`;
}

export function wrapDataKey(keyring: MasterKeyring, dek: Buffer, subjectId: string): WrappedDataKey {
  assertDataKey(dek);
  const keyVersion = keyring.currentVersion;
  const wrapped = seal(keyring.deriveKey('wrap', keyVersion), dek, dekAad(subjectId));
  return { wrapped, keyVersion };
}

export function unwrapDataKey(keyring: MasterKeyring, wrapped: Buffer, keyVersion: number, subjectId: string): Buffer {
  if (!keyring.hasVersion(keyVersion)) {
    // Operational, not an attack: the version was dropped from ENCRYPTION_KEYS_PREVIOUS before every
    // data key had been rewrapped.
    throw new DecryptionError(
      'unknown_key_version',
      `Decryption failed: master key version ${keyVersion} is not configured (ENCRYPTION_KEYS_PREVIOUS)`,
    );
  }
  const dek = open(keyring.deriveKey('wrap', keyVersion), wrapped, dekAad(subjectId));
  if (dek.length !== KEY_BYTES) throw new DecryptionError('malformed');
  return dek;
}

/**
 * Moves a wrapped data key to the current master version, after which the old version can be retired.
 * Already current: returned as is, so a rotation job that runs twice (at-least-once delivery) writes
 * nothing the second time.
 */
export function rewrapDataKey(
  keyring: MasterKeyring,
  wrapped: Buffer,
  keyVersion: number,
  subjectId: string,
): WrappedDataKey {
  if (keyVersion === keyring.currentVersion) return { wrapped, keyVersion };
  const dek = unwrapDataKey(keyring, wrapped, keyVersion, subjectId);
  try {
    return wrapDataKey(keyring, dek, subjectId);
  } finally {
    dek.fill(0);
  }
}

/** AES-256-GCM; layout `[1 byte format version][12 IV][16 tag][ciphertext]`. Build `aad` with `fieldAad`. */
export function encryptField(dek: Buffer, plaintext: string, aad: string): Buffer {
  assertDataKey(dek);
  if (typeof plaintext !== 'string') throw new TypeError('encryptField: plaintext must be a string');
  return seal(dek, Buffer.from(plaintext, 'utf8'), aad);
}

export function decryptField(dek: Buffer, blob: Buffer, aad: string): string {
  assertDataKey(dek);
  return open(dek, blob, aad).toString('utf8');
}

function dekAad(subjectId: string): string {
  if (subjectId === '') throw new TypeError('wrapDataKey: empty subject id');
  // A wrapped key copied to another subject's row fails to unwrap, so one subject's erasure cannot be
  // undone by pointing their rows at someone else's key, nor can two subjects share one.
  return `dek:${subjectId}`;
}

function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  // A random IV per message: NIST SP 800-38D 8.3 allows 2^32 of them per key; a data key seals a
  // handful of fields and a wrap key one data key per subject, and no counter has to be kept
  // consistent across API replicas.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_VERSION), iv, cipher.getAuthTag(), ciphertext]);
}

function open(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (!Buffer.isBuffer(blob) || blob.length < HEADER_BYTES) throw new DecryptionError('malformed');
  if (blob[0] !== FORMAT_VERSION) throw new DecryptionError('unsupported_format');
  const iv = blob.subarray(1, 1 + IV_BYTES);
  const tag = blob.subarray(1 + IV_BYTES, HEADER_BYTES);
  const ciphertext = blob.subarray(HEADER_BYTES);
  try {
    // authTagLength pinned: otherwise Node would accept a truncated tag, which is easier to forge.
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // The OpenSSL error is dropped rather than attached as `cause`: nothing from inside the cipher
    // should travel into logs.
    throw new DecryptionError('authentication_failed');
  }
}

function assertDataKey(dek: Buffer): void {
  if (!Buffer.isBuffer(dek) || dek.length !== KEY_BYTES) {
    throw new TypeError(`A data key must be a ${KEY_BYTES}-byte Buffer`);
  }
}
