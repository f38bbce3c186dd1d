import { createHmac, timingSafeEqual } from 'node:crypto';
import { assertUnixSeconds } from './tokens';

// Calls between Zgoda and the company's data systems (erasure and access tasks, their call-backs) are
// signed so that nobody on the network path, and nobody who merely knows the URL, can mark an erasure
// as done or inject data into an access package. The format follows the widely used
// `t=<unix>,v1=<hex>` scheme so that receivers can reuse existing verifiers.

export type WebhookVerification =
  { ok: true } | { ok: false; reason: 'malformed' | 'timestamp_out_of_tolerance' | 'signature_mismatch' };

const MAX_HEADER_LENGTH = 2048;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The timestamp is inside the MAC so a captured
 * request cannot be replayed later with a fresh timestamp. `body` must be the exact bytes sent.
 */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  assertSecret(secret);
  assertUnixSeconds(timestamp);
  if (!Number.isSafeInteger(timestamp)) throw new RangeError('timestamp must be whole unix seconds');
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

/**
 * Verifies an incoming signature against the raw request body (re-serialised JSON would not match).
 * Several `v1` entries are accepted, and `secret` may be a list: during a secret rotation the sender
 * signs with old and new secret, or we still hold both, and neither side has to switch at the same
 * instant. The signature is checked before the timestamp, so `timestamp_out_of_tolerance` always means
 * a genuine but stale request (a replay, or a clock that drifted) rather than a wrong secret.
 */
export function verifyWebhookSignature(
  secret: string | readonly string[],
  header: string | undefined,
  body: string,
  now: number,
  toleranceSeconds = 300,
): WebhookVerification {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError('No webhook secret configured');
  secrets.forEach(assertSecret);
  assertUnixSeconds(now);

  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };

  let matched = false;
  for (const s of secrets) {
    const expected = Buffer.from(hmacHex(s, parsed.timestamp, body), 'hex');
    for (const candidate of parsed.signatures) {
      // Compared as bytes in constant time: a byte-by-byte string compare lets an attacker find the
      // right MAC one byte at a time by timing. The length guard only protects timingSafeEqual, which
      // throws on unequal lengths; every candidate is 32 bytes after parsing anyway. No early exit.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) return { ok: false, reason: 'signature_mismatch' };
  if (Math.abs(now - parsed.timestamp) > toleranceSeconds) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  return { ok: true };
}

function parseHeader(header: string | undefined): { timestamp: number; signatures: Buffer[] } | undefined {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER_LENGTH) return undefined;
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) return undefined;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't') {
      // Two timestamps would let a proxy and the verifier read different ones.
      if (timestamp !== undefined || !/^\d{1,11}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (name === 'v1') {
      const hex = value.toLowerCase();
      if (!HEX_SHA256.test(hex)) return undefined;
      signatures.push(Buffer.from(hex, 'hex'));
    }
    // Other schemes (a future v2, a legacy v0) are ignored, so a sender can add one before we know it.
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

function assertSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('Webhook secret must be non-empty');
}
