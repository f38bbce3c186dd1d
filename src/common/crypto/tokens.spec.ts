import { createHmac } from 'node:crypto';
import { MasterKeyring } from './keyring';
import { hashToken, randomToken, signToken, verifyToken, type SignedTokenPayload } from './tokens';

const KEY = Buffer.alloc(32, 1);
const NOW = 1_700_000_000;
const SUBJECT = '0b6f1c52-7f57-4f59-8d8f-2a4c1b7d9e01';
const payload: SignedTokenPayload = { purpose: 'unsubscribe', subjectId: SUBJECT };

function decodeBody(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

describe('randomToken', () => {
  it('returns 32 random bytes as base64url by default', () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('honours the requested size', () => {
    expect(Buffer.from(randomToken(48), 'base64url')).toHaveLength(48);
    expect(Buffer.from(randomToken(16), 'base64url')).toHaveLength(16);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(tokens.size).toBe(1000);
  });

  it('refuses guessable sizes', () => {
    for (const bytes of [0, 8, 15, 16.5, Number.NaN]) expect(() => randomToken(bytes)).toThrow(RangeError);
  });
});

describe('hashToken', () => {
  it('is SHA-256 hex', () => {
    // echo -n abc | sha256sum
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('differs per token and never contains the token', () => {
    const token = randomToken();
    expect(hashToken(token)).not.toContain(token);
    expect(hashToken(token)).not.toBe(hashToken(randomToken()));
    expect(hashToken(token)).toBe(hashToken(token));
  });
});

describe('signToken', () => {
  it('produces base64url(JSON).base64url(HMAC-SHA256) matching an openssl vector', () => {
    // body=$(printf '%s' '<json>' | base64 -w0 | tr '+/' '-_' | tr -d '=')
    // printf '%s' "$body" | openssl dgst -sha256 -mac HMAC -macopt hexkey:0101...01 -binary | base64url
    expect(signToken(KEY, payload, 3600, NOW)).toBe(
      'eyJwdXJwb3NlIjoidW5zdWJzY3JpYmUiLCJzdWJqZWN0SWQiOiIwYjZmMWM1Mi03ZjU3LTRmNTktOGQ4Zi0yYTRjMWI3ZDllMDEiLCJleHAiOjE3MDAwMDM2MDB9' +
        '._mefsg0gHCJBH-2pVP-zh1BIy_AaTmzHvtlQexcRHh4',
    );
  });

  it('adds the expiry and carries only what it was given', () => {
    const token = signToken(KEY, payload, 60, NOW);
    expect(decodeBody(token)).toEqual({ purpose: 'unsubscribe', subjectId: SUBJECT, exp: NOW + 60 });
  });

  it('requires a purpose, a positive whole ttl and flat claims', () => {
    expect(() => signToken(KEY, { purpose: '' }, 60, NOW)).toThrow(TypeError);
    expect(() => signToken(KEY, {} as SignedTokenPayload, 60, NOW)).toThrow(TypeError);
    expect(() => signToken(KEY, payload, 0, NOW)).toThrow(RangeError);
    expect(() => signToken(KEY, payload, 1.5, NOW)).toThrow(RangeError);
    expect(() => signToken(KEY, { ...payload, exp: 1 }, 60, NOW)).toThrow(TypeError);
    expect(() => signToken(KEY, { ...payload, nested: {} } as never, 60, NOW)).toThrow(TypeError);
  });

  it('refuses milliseconds where unix seconds are expected', () => {
    expect(() => signToken(KEY, payload, 60, Date.now())).toThrow(RangeError);
  });

  it('refuses a short key', () => {
    expect(() => signToken(Buffer.alloc(16), payload, 60, NOW)).toThrow(TypeError);
  });
});

describe('verifyToken', () => {
  const token = signToken(KEY, payload, 3600, NOW);

  it('accepts a valid token and returns its payload', () => {
    expect(verifyToken(KEY, token, NOW + 10, 'unsubscribe')).toEqual({
      ok: true,
      payload: { purpose: 'unsubscribe', subjectId: SUBJECT, exp: NOW + 3600 },
    });
    expect(verifyToken(KEY, token, NOW).ok).toBe(true);
  });

  it('expires exactly at exp', () => {
    expect(verifyToken(KEY, token, NOW + 3599).ok).toBe(true);
    expect(verifyToken(KEY, token, NOW + 3600)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(KEY, token, NOW + 999_999)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token minted for another purpose', () => {
    const prefs = signToken(KEY, { purpose: 'preferences', subjectId: SUBJECT }, 3600, NOW);
    expect(verifyToken(KEY, prefs, NOW, 'unsubscribe')).toEqual({ ok: false, reason: 'wrong_purpose' });
  });

  it('refuses a token signed with another key', () => {
    const other = signToken(Buffer.alloc(32, 2), payload, 3600, NOW);
    expect(verifyToken(KEY, other, NOW)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('refuses a payload changed to another subject or a later expiry', () => {
    const [, signature] = token.split('.');
    for (const forged of [
      { purpose: 'unsubscribe', subjectId: '5d1e7a8c-3b2f-4c6d-9e0a-1f2b3c4d5e6f', exp: NOW + 3600 },
      { purpose: 'unsubscribe', subjectId: SUBJECT, exp: NOW + 10 ** 8 },
    ]) {
      const body = Buffer.from(JSON.stringify(forged)).toString('base64url');
      expect(verifyToken(KEY, `${body}.${signature}`, NOW)).toEqual({ ok: false, reason: 'signature_mismatch' });
    }
  });

  it('refuses a truncated or altered signature', () => {
    const [body, signature] = token.split('.');
    expect(verifyToken(KEY, `${body}.${signature.slice(0, -2)}`, NOW).ok).toBe(false);
    const flipped = signature[0] === 'A' ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(verifyToken(KEY, `${body}.${flipped}`, NOW)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('refuses another spelling of the same signature (a used-token list must not be bypassed)', () => {
    const [body, signature] = token.split('.');
    // 32 bytes = 43 base64url characters; the last carries 4 unused bits that Node ignores on decode
    const last = signature[signature.length - 1];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1];
    const respelled = `${body}.${signature.slice(0, -1)}${sibling}`;
    expect(Buffer.from(respelled.split('.')[1], 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(verifyToken(KEY, respelled, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyToken(KEY, `${token}=`, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['three parts', 'a.b.c'],
    ['empty signature', 'abc.'],
    ['non-base64url characters', 'ab+c.de/f'],
    ['overlong', `${'a'.repeat(5000)}.abc`],
  ])('rejects %s as malformed', (_label, value) => {
    expect(verifyToken(KEY, value, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects a correctly signed body that is not a token payload', () => {
    const sign = (json: string) => {
      const body = Buffer.from(json).toString('base64url');
      return `${body}.${createHmac('sha256', KEY).update(body).digest('base64url')}`;
    };
    for (const json of [
      'not json',
      '[]',
      'null',
      '{"exp":1800000000}',
      '{"purpose":"x","exp":"soon"}',
      '{"purpose":"x","exp":1800000000,"n":{}}',
    ]) {
      expect(verifyToken(KEY, sign(json), NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('accepts tokens signed before a key rotation when given every version, current first', () => {
    const before = new MasterKeyring([{ version: 1, key: Buffer.alloc(32, 5) }], 1);
    const after = new MasterKeyring(
      [
        { version: 1, key: Buffer.alloc(32, 5) },
        { version: 2, key: Buffer.alloc(32, 6) },
      ],
      2,
    );
    const oldLink = signToken(before.deriveKey('token'), payload, 3600, NOW);
    const keys = after.deriveAllKeys('token').map((e) => e.key);
    expect(verifyToken(after.deriveKey('token'), oldLink, NOW).ok).toBe(false);
    expect(verifyToken(keys, oldLink, NOW, 'unsubscribe').ok).toBe(true);
    expect(verifyToken(keys, signToken(after.deriveKey('token'), payload, 60, NOW), NOW).ok).toBe(true);
  });

  it('refuses milliseconds where unix seconds are expected', () => {
    expect(() => verifyToken(KEY, token, Date.now())).toThrow(RangeError);
  });
});
