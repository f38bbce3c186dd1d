import { createHash, createHmac } from 'node:crypto';
import { normaliseEmail, normalisePhone } from '../identifiers/normalise';
import { blindIndex, suppressionHash } from './blind-index';
import { MasterKeyring } from './keyring';

const ring = new MasterKeyring([{ version: 1, key: Buffer.alloc(32, 7) }], 1);
const indexKey = ring.deriveKey('blind-index');
const suppressionKey = ring.deriveKey('suppression');

describe('blindIndex', () => {
  it('is HMAC-SHA256(key, kind NUL value)', () => {
    const expected = createHmac('sha256', indexKey).update('email\0jan@example.com').digest();
    expect(blindIndex(indexKey, 'email', 'jan@example.com')).toEqual(expected);
    expect(blindIndex(indexKey, 'email', 'jan@example.com')).toHaveLength(32);
  });

  it('matches a known vector', () => {
    const key = Buffer.alloc(32, 0);
    // printf 'phone\0+48600100200' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<64 zeros>
    expect(blindIndex(key, 'phone', '+48600100200').toString('hex')).toBe(
      '5f7f097bdd4cbfa00b7261358911ed004830cfaf93d3897003ecbfa422425d1e',
    );
  });

  it('is deterministic, so the same identifier is found again', () => {
    expect(blindIndex(indexKey, 'phone', '+48600100200')).toEqual(blindIndex(indexKey, 'phone', '+48600100200'));
  });

  it('finds the same subject however the identifier was typed, once normalised', () => {
    expect(blindIndex(indexKey, 'email', normaliseEmail(' Jan@Example.com '))).toEqual(
      blindIndex(indexKey, 'email', normaliseEmail('jan@example.com')),
    );
    expect(blindIndex(indexKey, 'phone', normalisePhone('600 100 200'))).toEqual(
      blindIndex(indexKey, 'phone', normalisePhone('+48 600-100-200')),
    );
  });

  it('keeps kinds apart: an external id with the text of an e-mail gets another index', () => {
    const value = 'jan@example.com';
    const email = blindIndex(indexKey, 'email', value);
    const external = blindIndex(indexKey, 'external_id', value);
    expect(email.equals(external)).toBe(false);
  });

  it('cannot be computed without the key (no plain hash, different key gives different index)', () => {
    const idx = blindIndex(indexKey, 'email', 'jan@example.com');
    expect(idx.equals(createHash('sha256').update('email\0jan@example.com').digest())).toBe(false);
    expect(idx.equals(blindIndex(Buffer.alloc(32, 8), 'email', 'jan@example.com'))).toBe(false);
  });

  it('distinguishes different values', () => {
    const values = ['jan@example.com', 'jan@example.pl', 'jana@example.com', 'jan+x@example.com'];
    const hexes = values.map((v) => blindIndex(indexKey, 'email', v).toString('hex'));
    expect(new Set(hexes).size).toBe(values.length);
  });

  it('refuses empty values, short keys and unknown kinds', () => {
    expect(() => blindIndex(indexKey, 'email', '')).toThrow(TypeError);
    expect(() => blindIndex(Buffer.alloc(16), 'email', 'a@b.pl')).toThrow(TypeError);
    expect(() => blindIndex(indexKey, 'name' as never, 'Jan')).toThrow(TypeError);
  });
});

describe('suppressionHash', () => {
  it('is the hex HMAC with the suppression key', () => {
    const expected = createHmac('sha256', suppressionKey).update('email\0jan@example.com').digest('hex');
    expect(suppressionHash(suppressionKey, 'email', 'jan@example.com')).toBe(expected);
    expect(suppressionHash(suppressionKey, 'email', 'jan@example.com')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('cannot be joined to the blind index', () => {
    const value = 'jan@example.com';
    expect(suppressionHash(suppressionKey, 'email', value)).not.toBe(
      blindIndex(indexKey, 'email', value).toString('hex'),
    );
  });

  it('survives a master key rotation, so an erased e-mail re-imported later is still suppressed', () => {
    const before = suppressionHash(ring.deriveKey('suppression'), 'email', 'jan@example.com');
    const rotated = new MasterKeyring(
      [
        { version: 1, key: Buffer.alloc(32, 7) },
        { version: 2, key: Buffer.alloc(32, 9) },
      ],
      2,
    );
    expect(suppressionHash(rotated.deriveKey('suppression'), 'email', 'jan@example.com')).toBe(before);
  });

  it('keeps kinds apart', () => {
    expect(suppressionHash(suppressionKey, 'phone', '+48600100200')).not.toBe(
      suppressionHash(suppressionKey, 'external_id', '+48600100200'),
    );
  });
});
