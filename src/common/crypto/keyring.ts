import { hkdfSync, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

export const KEY_BYTES = 32;

export type KeyPurpose = 'blind-index' | 'suppression' | 'token' | 'wrap';

export const KEY_PURPOSES: readonly KeyPurpose[] = ['blind-index', 'suppression', 'token', 'wrap'];

export interface MasterKey {
  readonly version: number;
  readonly key: Buffer;
}

export interface ParsedMasterKeys {
  readonly keys: MasterKey[];
  readonly current: number;
}

export interface MasterKeyringOptions {
  /** From `BLIND_INDEX_KEY`; see `MasterKeyring.deriveKey`. */
  readonly blindIndexKey?: Buffer;
}

/**
 * Bad key configuration. The message names the environment variable and, for lists, the position of
 * the entry, never the value: start-up errors are printed to logs that many people can read.
 */
export class KeyringConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'KeyringConfigError';
  }
}

export const ENV_PRIMARY = 'ENCRYPTION_KEY';
export const ENV_PREVIOUS = 'ENCRYPTION_KEYS_PREVIOUS';
export const ENV_BLIND_INDEX = 'BLIND_INDEX_KEY';

/**
 * Parses `ENCRYPTION_KEY` (base64 of 32 bytes, the current master key) and `ENCRYPTION_KEYS_PREVIOUS`
 * (`"1:base64,2:base64"`, the retired versions still needed to unwrap data keys not yet rewrapped).
 */
export function parseMasterKeys(primary: string | undefined, previous?: string, currentVersion = 1): ParsedMasterKeys {
  if (!isVersion(currentVersion)) {
    throw new KeyringConfigError(ENV_PRIMARY, 'the current key version must be a positive integer');
  }
  if (primary === undefined || primary.trim() === '') {
    throw new KeyringConfigError(ENV_PRIMARY, 'is required');
  }
  const keys: MasterKey[] = [{ version: currentVersion, key: decodeKey(primary, ENV_PRIMARY, 'the value') }];

  const entries = (previous ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon === -1) {
      throw new KeyringConfigError(ENV_PREVIOUS, `${where} must look like "version:base64key"`);
    }
    const versionText = entry.slice(0, colon).trim();
    const version = /^\d{1,9}$/.test(versionText) ? Number(versionText) : NaN;
    if (!isVersion(version)) {
      throw new KeyringConfigError(ENV_PREVIOUS, `${where} has a version that is not a positive integer`);
    }
    if (keys.some((k) => k.version === version)) {
      throw new KeyringConfigError(
        ENV_PREVIOUS,
        version === currentVersion
          ? `${where} repeats the current version ${version} of ${ENV_PRIMARY}`
          : `${where} repeats version ${version}`,
      );
    }
    keys.push({ version, key: decodeKey(entry.slice(colon + 1), ENV_PREVIOUS, where) });
  });

  // Two versions with the same bytes means a rotation that did not rotate: everything "rewrapped" to
  // the new version is still readable with the key that was meant to be retired.
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      if (timingSafeEqual(keys[i].key, keys[j].key)) {
        throw new KeyringConfigError(
          keys[i].version === currentVersion ? ENV_PRIMARY : ENV_PREVIOUS,
          `versions ${keys[i].version} and ${keys[j].version} hold the same key`,
        );
      }
    }
  }
  return { keys, current: currentVersion };
}

/** Parses the optional `BLIND_INDEX_KEY` (base64 of 32 bytes). */
export function parseBlindIndexKey(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return decodeKey(raw, ENV_BLIND_INDEX, 'the value');
}

const HKDF_SALT = Buffer.alloc(0); // master keys are uniformly random, so HKDF needs no salt (RFC 5869 3.1)

/**
 * The versioned master keys and the sub-keys derived from them, one per purpose, so that a key that
 * leaks through one use (a token key in a support tool, say) opens nothing else.
 */
export class MasterKeyring {
  readonly #keys = new Map<number, Buffer>();
  readonly #current: number;
  readonly #lookupRoot: Buffer;
  readonly #derived = new Map<string, Buffer>();

  constructor(keys: readonly MasterKey[], current: number, options: MasterKeyringOptions = {}) {
    for (const { version, key } of keys) {
      if (!isVersion(version)) throw new KeyringConfigError(ENV_PREVIOUS, 'versions must be positive integers');
      if (this.#keys.has(version)) throw new KeyringConfigError(ENV_PREVIOUS, `version ${version} appears twice`);
      assertKeyLength(key, version === current ? ENV_PRIMARY : ENV_PREVIOUS);
      // Our own copy: a caller that zeroes or reuses its buffer must not change what we hold.
      this.#keys.set(version, Buffer.from(key));
    }
    if (!this.#keys.has(current)) {
      throw new KeyringConfigError(ENV_PRIMARY, `no key for the current version ${current}`);
    }
    this.#current = current;

    if (options.blindIndexKey !== undefined) {
      assertKeyLength(options.blindIndexKey, ENV_BLIND_INDEX);
      this.#lookupRoot = Buffer.from(options.blindIndexKey);
    } else {
      const v1 = this.#keys.get(1);
      // Fail at start, not at the first lookup: without a stable root no identifier can be found.
      if (!v1) {
        throw new KeyringConfigError(
          ENV_PREVIOUS,
          `master key version 1 is needed for the blind index; keep it in ${ENV_PREVIOUS} or set ${ENV_BLIND_INDEX}`,
        );
      }
      this.#lookupRoot = v1;
    }
  }

  get currentVersion(): number {
    return this.#current;
  }

  /** All versions held, newest first. */
  get versions(): number[] {
    return [...this.#keys.keys()].sort((a, b) => b - a);
  }

  hasVersion(version: number): boolean {
    return this.#keys.has(version);
  }

  /**
   * A 32-byte HKDF-SHA256 sub-key, info `zgoda/<purpose>/v<version>`.
   *
   * `wrap` and `token` default to the current master version, so rotating `ENCRYPTION_KEY` moves new
   * wraps and new tokens to the new key while older versions stay available for reading.
   *
   * `blind-index` and `suppression` do NOT follow the master version by default. They are lookup keys:
   * a blind index computed under version 1 can only be found again by recomputing it under the same
   * key, so if they rotated, every subject stored before the rotation would become unfindable by e-mail
   * or phone (access and erasure requests would report "no data" for people we hold), and every
   * suppressed e-mail would be contactable again after re-import. They are derived from `BLIND_INDEX_KEY`
   * when it is set, else from master version 1 with info `zgoda/<purpose>/v1`; two different infos give
   * two unrelated keys, so the suppression list still cannot be joined to the index. Passing an explicit
   * version derives from that master version instead, for a deliberate re-indexing migration.
   */
  deriveKey(purpose: KeyPurpose, version?: number): Buffer {
    if (!KEY_PURPOSES.includes(purpose)) throw new TypeError('Unknown key purpose');
    const isLookup = purpose === 'blind-index' || purpose === 'suppression';
    const useLookupRoot = isLookup && version === undefined;
    const v = version ?? (isLookup ? 1 : this.#current);
    const cacheKey = useLookupRoot ? `${purpose}/root` : `${purpose}/${v}`;
    let key = this.#derived.get(cacheKey);
    if (!key) {
      const ikm = useLookupRoot ? this.#lookupRoot : this.#keys.get(v);
      if (!ikm) throw new KeyringConfigError(ENV_PREVIOUS, `no master key version ${v}`);
      key = Buffer.from(hkdfSync('sha256', ikm, HKDF_SALT, `zgoda/${purpose}/v${v}`, KEY_BYTES));
      // Cached: a batch decision over 10,000 identifiers must not run HKDF 10,000 times.
      this.#derived.set(cacheKey, key);
    }
    // A copy, so a caller that zeroes its key after use cannot corrupt the cache.
    return Buffer.from(key);
  }

  /** The sub-key of every held version, current first: for verifying tokens signed before a rotation. */
  deriveAllKeys(purpose: Extract<KeyPurpose, 'token' | 'wrap'>): { version: number; key: Buffer }[] {
    const others = this.versions.filter((v) => v !== this.#current);
    return [this.#current, ...others].map((version) => ({ version, key: this.deriveKey(purpose, version) }));
  }

  // A keyring that ends up in a log line (`logger.info({ config })`) must show no key material.
  toJSON(): { currentVersion: number; versions: number[] } {
    return { currentVersion: this.#current, versions: this.versions };
  }

  [inspect.custom](): string {
    return `MasterKeyring { currentVersion: ${this.#current}, versions: [${this.versions.join(', ')}] }`;
  }
}

function isVersion(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

function assertKeyLength(key: Buffer, variable: string): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new KeyringConfigError(variable, `a key must be exactly ${KEY_BYTES} bytes`);
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decodeKey(raw: string, variable: string, where: string): Buffer {
  const text = raw.trim();
  const isBase64 = BASE64.test(text);
  if (!isBase64 && !BASE64URL.test(text)) {
    throw new KeyringConfigError(variable, `${where} is not base64`);
  }
  const key = Buffer.from(text, isBase64 ? 'base64' : 'base64url');
  if (key.length !== KEY_BYTES) {
    throw new KeyringConfigError(
      variable,
      `${where} must decode to ${KEY_BYTES} bytes (generate one with: openssl rand -base64 32)`,
    );
  }
  return key;
}
