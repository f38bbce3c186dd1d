import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const MIN_TOKEN_BYTES = 16; // 128 bits: out of reach of online guessing at any rate limit
const MIN_KEY_BYTES = 32;
const MAX_TOKEN_LENGTH = 4096; // ids only, so anything longer is not ours and is not parsed
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** An unguessable opaque token (e-mail verification links, download links), base64url. */
export function randomToken(bytes = 32): string {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_TOKEN_BYTES) {
    throw new RangeError(`A token needs at least ${MIN_TOKEN_BYTES} random bytes`);
  }
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 hex of a token, the form single-use tokens are stored in: someone who reads the table (a
 * backup, a replica, a support query) cannot use a pending verification link. A plain fast hash is
 * enough because the token carries 256 random bits; slow password hashing protects low-entropy secrets.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export type TokenClaim = string | number | boolean;

/**
 * What a signed token says. Ids only (subject id, request id, purpose code), never an e-mail, name or
 * phone: the token travels in URLs, which end up in browser history, proxy and mail-scanner logs, and
 * its payload is only base64, not encrypted (PRODUCT.md: no personal data in URLs).
 */
export interface SignedTokenPayload {
  /** What the token may be used for (`unsubscribe`, `preferences`); checked by `verifyToken`. */
  readonly purpose: string;
  readonly [claim: string]: TokenClaim;
}

export type VerifiedTokenPayload = SignedTokenPayload & { readonly exp: number };

export type TokenVerification =
  | { ok: true; payload: VerifiedTokenPayload }
  | { ok: false; reason: 'malformed' | 'signature_mismatch' | 'expired' | 'wrong_purpose' };

/**
 * `base64url(JSON).base64url(HMAC-SHA256)` with `exp` (unix seconds) added to the payload. Meant for
 * unsubscribe and preference-centre links: verifiable without a database row, so a one-click
 * unsubscribe (Art. 7(3), Art. 21(3)) works even if the token table was cleaned up.
 * `now` is in unix seconds.
 */
export function signToken(key: Buffer, payload: SignedTokenPayload, ttlSeconds: number, now: number): string {
  assertKey(key);
  assertUnixSeconds(now);
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError('ttlSeconds must be a positive integer');
  }
  if (typeof payload?.purpose !== 'string' || payload.purpose === '') {
    throw new TypeError('A signed token needs a purpose');
  }
  if ('exp' in payload) throw new TypeError('"exp" is set by signToken');
  for (const [name, value] of Object.entries(payload)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new TypeError(`Token claim "${name}" must be a string, number or boolean`);
    }
  }
  const body = Buffer.from(JSON.stringify({ ...payload, exp: now + ttlSeconds }), 'utf8').toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/**
 * Checks signature, expiry and, when `expectedPurpose` is given, the purpose: pass it, or a token
 * minted to unsubscribe could be replayed where a preference-centre token is expected.
 * `key` may be a list (current first) so links mailed before a key rotation keep working.
 */
export function verifyToken(
  key: Buffer | readonly Buffer[],
  token: string,
  now: number,
  expectedPurpose?: string,
): TokenVerification {
  const keys = Buffer.isBuffer(key) ? [key] : key;
  keys.forEach(assertKey);
  assertUnixSeconds(now);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [body, signature] = parts;
  if (!isCanonicalBase64url(body) || !isCanonicalBase64url(signature)) {
    return { ok: false, reason: 'malformed' };
  }

  const given = Buffer.from(signature, 'base64url');
  let matched = false;
  for (const k of keys) {
    const expected = mac(k, body);
    // The length guard is not a leak: the MAC length is public. No early exit, so the time taken does
    // not tell which key, if any, matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'signature_mismatch' };

  // Parsed only after the MAC check: attacker-controlled JSON never reaches the parser.
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isPayload(payload)) return { ok: false, reason: 'malformed' };
  if (now >= payload.exp) return { ok: false, reason: 'expired' };
  if (expectedPurpose !== undefined && payload.purpose !== expectedPurpose) {
    return { ok: false, reason: 'wrong_purpose' };
  }
  return { ok: true, payload };
}

function mac(key: Buffer, body: string): Buffer {
  // Over the encoded body as sent, not re-serialised JSON, whose key order is not guaranteed.
  return createHmac('sha256', key).update(body, 'utf8').digest();
}

// Node's base64url decoder ignores stray trailing bits and junk characters, so without this check one
// valid token would have many spellings, and a "used tokens" table keyed by the string (or its
// hashToken) would accept the same token again under another spelling.
function isCanonicalBase64url(text: string): boolean {
  return text !== '' && BASE64URL.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;
}

function isPayload(value: unknown): value is VerifiedTokenPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.purpose === 'string' &&
    record.purpose !== '' &&
    Number.isSafeInteger(record.exp) &&
    Object.values(record).every((v) => ['string', 'number', 'boolean'].includes(typeof v))
  );
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length < MIN_KEY_BYTES) {
    throw new TypeError(`A token key must be a Buffer of at least ${MIN_KEY_BYTES} bytes`);
  }
}

// A timestamp in milliseconds passed where seconds are expected would make every token live for
// millennia; 10^11 seconds is the year 5138, 10^11 milliseconds is 1973.
export function assertUnixSeconds(now: number): void {
  if (!Number.isFinite(now) || now < 0 || now >= 1e11) {
    throw new RangeError('Expected a time in unix seconds');
  }
}
