import { hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  KEY_PURPOSES,
  KeyringConfigError,
  MasterKeyring,
  parseBlindIndexKey,
  parseMasterKeys,
  type MasterKey,
} from './keyring';

const k1 = Buffer.alloc(32, 1);
const k2 = Buffer.alloc(32, 2);
const k3 = Buffer.alloc(32, 3);
const b64 = (b: Buffer) => b.toString('base64');

function expectConfigError(fn: () => unknown, variable: string, secretText?: string): KeyringConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(KeyringConfigError);
  const error = caught as KeyringConfigError;
  expect(error.variable).toBe(variable);
  expect(error.message).toContain(variable);
  if (secretText) expect(error.message).not.toContain(secretText);
  return error;
}

function hkdf(ikm: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), info, 32));
}

describe('parseMasterKeys', () => {
  it('parses the primary key as version 1 by default', () => {
    const parsed = parseMasterKeys(b64(k1));
    expect(parsed.current).toBe(1);
    expect(parsed.keys).toEqual([{ version: 1, key: k1 }]);
  });

  it('gives the primary key the current version and adds previous versions', () => {
    const parsed = parseMasterKeys(b64(k3), ` 1:${b64(k1)} , 2:${b64(k2)} `, 3);
    expect(parsed.current).toBe(3);
    expect(parsed.keys).toEqual([
      { version: 3, key: k3 },
      { version: 1, key: k1 },
      { version: 2, key: k2 },
    ]);
  });

  it('accepts base64url keys and surrounding whitespace', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i)); // produces - and _ in base64url
    expect(parseMasterKeys(`  ${key.toString('base64url')}\n`).keys[0].key).toEqual(key);
  });

  it('ignores an empty previous list and empty entries', () => {
    expect(parseMasterKeys(b64(k2), '', 2).keys).toHaveLength(1);
    expect(parseMasterKeys(b64(k2), `,1:${b64(k1)},`, 2).keys).toHaveLength(2);
  });

  it('requires ENCRYPTION_KEY', () => {
    expectConfigError(() => parseMasterKeys(undefined), 'ENCRYPTION_KEY');
    expectConfigError(() => parseMasterKeys('   '), 'ENCRYPTION_KEY');
  });

  it.each([
    ['not base64', 'this is not base64!!'],
    ['16 bytes', Buffer.alloc(16, 7).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 7).toString('base64')],
  ])('rejects a primary key that is %s without echoing it', (_label, value) => {
    expectConfigError(() => parseMasterKeys(value), 'ENCRYPTION_KEY', value);
  });

  it('rejects a current version that is not a positive integer', () => {
    for (const v of [0, -1, 1.5, Number.NaN]) {
      expectConfigError(() => parseMasterKeys(b64(k1), undefined, v), 'ENCRYPTION_KEY');
    }
  });

  it.each([
    ['no colon', () => b64(k1)],
    ['a non-numeric version', () => `v1:${b64(k1)}`],
    ['version zero', () => `0:${b64(k1)}`],
    ['a short key', () => `4:${Buffer.alloc(31, 9).toString('base64')}`],
    ['garbage key', () => `4:%%%${b64(k1)}`],
  ])('rejects a previous entry with %s, naming ENCRYPTION_KEYS_PREVIOUS and the position only', (_l, entry) => {
    const value = entry();
    const error = expectConfigError(
      () => parseMasterKeys(b64(k2), `1:${b64(k3)},${value}`, 2),
      'ENCRYPTION_KEYS_PREVIOUS',
    );
    expect(error.message).toContain('entry 2');
    expect(error.message).not.toContain(b64(k1));
    expect(error.message).not.toContain(b64(k3));
  });

  it('rejects a previous entry that repeats the current version', () => {
    const error = expectConfigError(
      () => parseMasterKeys(b64(k2), `2:${b64(k1)}`, 2),
      'ENCRYPTION_KEYS_PREVIOUS',
      b64(k1),
    );
    expect(error.message).toContain('current version 2');
  });

  it('rejects a version listed twice', () => {
    expectConfigError(() => parseMasterKeys(b64(k3), `1:${b64(k1)},1:${b64(k2)}`, 3), 'ENCRYPTION_KEYS_PREVIOUS');
  });

  it('rejects a rotation that reused the same key bytes', () => {
    const error = expectConfigError(() => parseMasterKeys(b64(k1), `1:${b64(k1)}`, 2), 'ENCRYPTION_KEY', b64(k1));
    expect(error.message).toContain('same key');
  });
});

describe('parseBlindIndexKey', () => {
  it('is optional', () => {
    expect(parseBlindIndexKey(undefined)).toBeUndefined();
    expect(parseBlindIndexKey('')).toBeUndefined();
  });

  it('decodes 32 bytes and names BLIND_INDEX_KEY on error', () => {
    expect(parseBlindIndexKey(b64(k3))).toEqual(k3);
    const short = Buffer.alloc(8, 1).toString('base64');
    expectConfigError(() => parseBlindIndexKey(short), 'BLIND_INDEX_KEY', short);
  });
});

describe('MasterKeyring', () => {
  const keys: MasterKey[] = [
    { version: 1, key: k1 },
    { version: 2, key: k2 },
  ];

  it('exposes current and held versions, newest first', () => {
    const ring = new MasterKeyring(keys, 2);
    expect(ring.currentVersion).toBe(2);
    expect(ring.versions).toEqual([2, 1]);
    expect(ring.hasVersion(1)).toBe(true);
    expect(ring.hasVersion(3)).toBe(false);
  });

  it('is built from parseMasterKeys output', () => {
    const parsed = parseMasterKeys(b64(k2), `1:${b64(k1)}`, 2);
    const ring = new MasterKeyring(parsed.keys, parsed.current);
    expect(ring.deriveKey('wrap')).toEqual(hkdf(k2, 'zgoda/wrap/v2'));
  });

  it('derives wrap and token keys from the current version by default, per HKDF-SHA256', () => {
    const ring = new MasterKeyring(keys, 2);
    expect(ring.deriveKey('wrap')).toEqual(hkdf(k2, 'zgoda/wrap/v2'));
    expect(ring.deriveKey('token')).toEqual(hkdf(k2, 'zgoda/token/v2'));
    expect(ring.deriveKey('wrap', 1)).toEqual(hkdf(k1, 'zgoda/wrap/v1'));
  });

  it('derives a different 32-byte key for every purpose and version', () => {
    const ring = new MasterKeyring(keys, 2);
    const all = [1, 2].flatMap((v) => KEY_PURPOSES.map((p) => ring.deriveKey(p, v).toString('hex')));
    expect(new Set(all).size).toBe(all.length);
    for (const hex of all) expect(hex).toHaveLength(64);
    for (const hex of all) expect([k1.toString('hex'), k2.toString('hex')]).not.toContain(hex);
  });

  it('keeps the blind-index and suppression keys on master version 1 across a rotation', () => {
    const before = new MasterKeyring([{ version: 1, key: k1 }], 1);
    const after = new MasterKeyring(keys, 2);
    expect(after.deriveKey('blind-index')).toEqual(before.deriveKey('blind-index'));
    expect(after.deriveKey('blind-index')).toEqual(hkdf(k1, 'zgoda/blind-index/v1'));
    expect(after.deriveKey('suppression')).toEqual(before.deriveKey('suppression'));
    expect(after.deriveKey('suppression')).not.toEqual(after.deriveKey('blind-index'));
    // while the rotating purposes did move
    expect(after.deriveKey('wrap')).not.toEqual(before.deriveKey('wrap'));
  });

  it('derives the lookup keys from BLIND_INDEX_KEY when given, independent of the master keys', () => {
    const a = new MasterKeyring([{ version: 5, key: k2 }], 5, { blindIndexKey: k3 });
    const b = new MasterKeyring([{ version: 1, key: k1 }], 1, { blindIndexKey: k3 });
    expect(a.deriveKey('blind-index')).toEqual(hkdf(k3, 'zgoda/blind-index/v1'));
    expect(a.deriveKey('blind-index')).toEqual(b.deriveKey('blind-index'));
    expect(a.deriveKey('suppression')).toEqual(b.deriveKey('suppression'));
    expect(b.deriveKey('blind-index')).not.toEqual(hkdf(k1, 'zgoda/blind-index/v1'));
  });

  it('derives a lookup key from an explicit master version for a re-indexing migration', () => {
    const ring = new MasterKeyring(keys, 2);
    expect(ring.deriveKey('blind-index', 2)).toEqual(hkdf(k2, 'zgoda/blind-index/v2'));
    expect(ring.deriveKey('blind-index', 1)).toEqual(ring.deriveKey('blind-index'));
  });

  it('refuses to start without a stable root for the blind index', () => {
    expectConfigError(() => new MasterKeyring([{ version: 2, key: k2 }], 2), 'ENCRYPTION_KEYS_PREVIOUS');
  });

  it('throws for an unknown version, without key material', () => {
    const ring = new MasterKeyring(keys, 2);
    const error = expectConfigError(() => ring.deriveKey('wrap', 7), 'ENCRYPTION_KEYS_PREVIOUS');
    expect(error.message).toContain('7');
  });

  it('rejects a purpose outside the list', () => {
    const ring = new MasterKeyring(keys, 2);
    expect(() => ring.deriveKey('session' as never)).toThrow(TypeError);
  });

  it('validates its input', () => {
    expectConfigError(() => new MasterKeyring(keys, 3), 'ENCRYPTION_KEY');
    expectConfigError(() => new MasterKeyring([{ version: 1, key: Buffer.alloc(16) }], 1), 'ENCRYPTION_KEY');
    expectConfigError(() => new MasterKeyring([...keys, { version: 1, key: k3 }], 2), 'ENCRYPTION_KEYS_PREVIOUS');
    expectConfigError(() => new MasterKeyring(keys, 2, { blindIndexKey: Buffer.alloc(5) }), 'BLIND_INDEX_KEY');
  });

  it('is unaffected when the caller later overwrites its key buffers or a returned key', () => {
    const mine = Buffer.from(k1);
    const ring = new MasterKeyring([{ version: 1, key: mine }], 1);
    const expected = hkdf(k1, 'zgoda/token/v1');
    mine.fill(0);
    const first = ring.deriveKey('token');
    expect(first).toEqual(expected);
    first.fill(0);
    expect(ring.deriveKey('token')).toEqual(expected);
  });

  it('lists the sub-key of every version with the current one first', () => {
    const ring = new MasterKeyring(
      [
        { version: 1, key: k1 },
        { version: 3, key: k3 },
        { version: 2, key: k2 },
      ],
      2,
    );
    const all = ring.deriveAllKeys('token');
    expect(all.map((e) => e.version)).toEqual([2, 3, 1]);
    expect(all[0].key).toEqual(ring.deriveKey('token'));
    expect(all[1].key).toEqual(hkdf(k3, 'zgoda/token/v3'));
  });

  it('shows no key material when logged or serialised', () => {
    const random = randomBytes(32);
    const ring = new MasterKeyring([{ version: 1, key: random }], 1, { blindIndexKey: k3 });
    ring.deriveKey('wrap');
    const outputs = [inspect(ring, { depth: 10, showHidden: true }), JSON.stringify(ring), JSON.stringify({ ring })];
    for (const text of outputs) {
      expect(text).not.toContain(random.toString('hex'));
      expect(text).not.toContain(random.toString('base64'));
      expect(text).not.toContain(k3.toString('base64'));
      expect(text).not.toMatch(/<Buffer/);
    }
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ currentVersion: 1, versions: [1] });
  });
});
