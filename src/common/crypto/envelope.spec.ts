import { createDecipheriv } from 'node:crypto';
import {
  DecryptionError,
  FORMAT_VERSION,
  decryptField,
  encryptField,
  fieldAad,
  generateDataKey,
  rewrapDataKey,
  unwrapDataKey,
  wrapDataKey,
} from './envelope';
import { MasterKeyring } from './keyring';

const SUBJECT_A = '0b6f1c52-7f57-4f59-8d8f-2a4c1b7d9e01';
const SUBJECT_B = '5d1e7a8c-3b2f-4c6d-9e0a-1f2b3c4d5e6f';

const v1 = { version: 1, key: Buffer.alloc(32, 0x11) };
const v2 = { version: 2, key: Buffer.alloc(32, 0x22) };
const ringV1 = new MasterKeyring([v1], 1);
const ringV2 = new MasterKeyring([v1, v2], 2);

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

function expectDecryptionError(fn: () => unknown, reason: string, secret?: string): void {
  const error = catchError(fn);
  expect(error).toBeInstanceOf(DecryptionError);
  expect((error as DecryptionError).reason).toBe(reason);
  if (secret) {
    expect((error as Error).message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
    expect((error as Error).cause).toBeUndefined();
  }
}

describe('generateDataKey', () => {
  it('returns 32 fresh random bytes each time', () => {
    const keys = Array.from({ length: 50 }, () => generateDataKey().toString('hex'));
    expect(new Set(keys).size).toBe(50);
    for (const k of keys) expect(k).toHaveLength(64);
  });
});

describe('fieldAad', () => {
  it('joins subject id and column', () => {
    expect(fieldAad(SUBJECT_A, 'email')).toBe(`${SUBJECT_A}:email`);
  });

  it('refuses ids that would make two different (subject, column) pairs collide', () => {
    expect(() => fieldAad('a:b', 'c')).toThrow(TypeError);
    expect(() => fieldAad('', 'email')).toThrow(TypeError);
    expect(() => fieldAad(SUBJECT_A, '')).toThrow(TypeError);
  });
});

describe('encryptField / decryptField', () => {
  const dek = generateDataKey();
  const aad = fieldAad(SUBJECT_A, 'email');

  it.each(['jan.kowalski@example.com', '', 'Zażółć gęślą jaźń 🦊', 'x'.repeat(100_000)])(
    'round-trips %#',
    (plaintext) => {
      expect(decryptField(dek, encryptField(dek, plaintext, aad), aad)).toBe(plaintext);
    },
  );

  it('uses the documented layout [version][12 IV][16 tag][ciphertext] with standard AES-256-GCM', () => {
    const blob = encryptField(dek, 'hello', aad);
    expect(blob.length).toBe(1 + 12 + 16 + 5);
    expect(blob[0]).toBe(FORMAT_VERSION);
    expect(FORMAT_VERSION).toBe(1);
    // decrypt with a plain Node decipher to prove the layout is what the comment says
    const decipher = createDecipheriv('aes-256-gcm', dek, blob.subarray(1, 13), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(blob.subarray(13, 29));
    expect(Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]).toString()).toBe('hello');
  });

  it('uses a fresh IV for every encryption of the same value', () => {
    const a = encryptField(dek, 'same', aad);
    const b = encryptField(dek, 'same', aad);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('does not contain the plaintext', () => {
    const blob = encryptField(dek, 'jan.kowalski@example.com', aad);
    expect(blob.includes(Buffer.from('kowalski'))).toBe(false);
  });

  it('fails when the ciphertext is moved to another subject row', () => {
    const blob = encryptField(dek, 'jan@example.com', fieldAad(SUBJECT_A, 'email'));
    expectDecryptionError(
      () => decryptField(dek, blob, fieldAad(SUBJECT_B, 'email')),
      'authentication_failed',
      'jan@example.com',
    );
  });

  it('fails when the ciphertext is moved to another column of the same row', () => {
    const blob = encryptField(dek, '+48600100200', fieldAad(SUBJECT_A, 'phone'));
    expectDecryptionError(
      () => decryptField(dek, blob, fieldAad(SUBJECT_A, 'email')),
      'authentication_failed',
      '+48600100200',
    );
  });

  it('fails under another data key (an erased subject stays unreadable with any other key)', () => {
    const blob = encryptField(dek, 'secret', aad);
    expectDecryptionError(() => decryptField(generateDataKey(), blob, aad), 'authentication_failed', 'secret');
  });

  it('detects a flipped bit anywhere in IV, tag or ciphertext', () => {
    const blob = encryptField(dek, 'jan@example.com', aad);
    for (let i = 1; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i] ^= 0x01;
      expectDecryptionError(() => decryptField(dek, tampered, aad), 'authentication_failed');
    }
  });

  it('rejects a truncated tag or blob as malformed', () => {
    const blob = encryptField(dek, 'jan@example.com', aad);
    expectDecryptionError(() => decryptField(dek, blob.subarray(0, 28), aad), 'malformed');
    expectDecryptionError(() => decryptField(dek, Buffer.alloc(0), aad), 'malformed');
    // a blob cut inside the ciphertext is long enough to parse but fails authentication
    expectDecryptionError(() => decryptField(dek, blob.subarray(0, blob.length - 1), aad), 'authentication_failed');
  });

  it('rejects an unknown format version', () => {
    const blob = encryptField(dek, 'x', aad);
    blob[0] = 2;
    expectDecryptionError(() => decryptField(dek, blob, aad), 'unsupported_format');
  });

  it('requires a 32-byte data key', () => {
    expect(() => encryptField(Buffer.alloc(16), 'x', aad)).toThrow(TypeError);
    expect(() => decryptField(Buffer.alloc(31), Buffer.alloc(40), aad)).toThrow(TypeError);
  });
});

describe('wrapDataKey / unwrapDataKey / rewrapDataKey', () => {
  it('wraps under the current version and unwraps back to the same key', () => {
    const dek = generateDataKey();
    const { wrapped, keyVersion } = wrapDataKey(ringV2, dek, SUBJECT_A);
    expect(keyVersion).toBe(2);
    expect(wrapped.length).toBe(1 + 12 + 16 + 32);
    expect(wrapped.includes(dek)).toBe(false);
    expect(unwrapDataKey(ringV2, wrapped, keyVersion, SUBJECT_A)).toEqual(dek);
  });

  it('binds the wrapped key to its subject', () => {
    const dek = generateDataKey();
    const { wrapped, keyVersion } = wrapDataKey(ringV1, dek, SUBJECT_A);
    expectDecryptionError(() => unwrapDataKey(ringV1, wrapped, keyVersion, SUBJECT_B), 'authentication_failed');
  });

  it('is not interchangeable with a field encrypted under the wrap key', () => {
    // a wrapped key has AAD "dek:<subject>", a field "<subject>:<column>": they cannot be confused
    const dek = generateDataKey();
    const { wrapped } = wrapDataKey(ringV1, dek, SUBJECT_A);
    const wrapKey = ringV1.deriveKey('wrap');
    expectDecryptionError(() => decryptField(wrapKey, wrapped, fieldAad(SUBJECT_A, 'dek')), 'authentication_failed');
  });

  it('fails when told the wrong key version', () => {
    const dek = generateDataKey();
    const { wrapped } = wrapDataKey(ringV2, dek, SUBJECT_A);
    expectDecryptionError(() => unwrapDataKey(ringV2, wrapped, 1, SUBJECT_A), 'authentication_failed');
  });

  it('reports a version that is no longer configured, pointing at ENCRYPTION_KEYS_PREVIOUS', () => {
    const { wrapped, keyVersion } = wrapDataKey(ringV1, generateDataKey(), SUBJECT_A);
    const ringOnlyV3 = new MasterKeyring([{ version: 3, key: Buffer.alloc(32, 0x33) }], 3, {
      blindIndexKey: Buffer.alloc(32, 0x44),
    });
    const error = catchError(() => unwrapDataKey(ringOnlyV3, wrapped, keyVersion, SUBJECT_A));
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe('unknown_key_version');
    expect((error as Error).message).toContain('ENCRYPTION_KEYS_PREVIOUS');
  });

  it('rewraps a key from an old version to the current one, after which the old key is not needed', () => {
    const dek = generateDataKey();
    const old = wrapDataKey(ringV1, dek, SUBJECT_A);
    expect(old.keyVersion).toBe(1);

    const moved = rewrapDataKey(ringV2, old.wrapped, old.keyVersion, SUBJECT_A);
    expect(moved.keyVersion).toBe(2);
    expect(moved.wrapped.equals(old.wrapped)).toBe(false);

    const ringWithoutV1 = new MasterKeyring([v2], 2, { blindIndexKey: Buffer.alloc(32, 0x44) });
    expect(unwrapDataKey(ringWithoutV1, moved.wrapped, moved.keyVersion, SUBJECT_A)).toEqual(dek);
  });

  it('leaves an already current wrap untouched (a repeated rotation job writes nothing)', () => {
    const current = wrapDataKey(ringV2, generateDataKey(), SUBJECT_A);
    const again = rewrapDataKey(ringV2, current.wrapped, current.keyVersion, SUBJECT_A);
    expect(again.keyVersion).toBe(2);
    expect(again.wrapped).toBe(current.wrapped);
  });

  it('does not rewrap a key that fails to unwrap', () => {
    const old = wrapDataKey(ringV1, generateDataKey(), SUBJECT_A);
    expectDecryptionError(() => rewrapDataKey(ringV2, old.wrapped, 1, SUBJECT_B), 'authentication_failed');
  });

  it('decrypts fields end to end after a rotation', () => {
    const dek = generateDataKey();
    const stored = wrapDataKey(ringV1, dek, SUBJECT_A);
    const email = encryptField(dek, 'jan@example.com', fieldAad(SUBJECT_A, 'email'));

    const rotated = rewrapDataKey(ringV2, stored.wrapped, stored.keyVersion, SUBJECT_A);
    const dekAgain = unwrapDataKey(ringV2, rotated.wrapped, rotated.keyVersion, SUBJECT_A);
    expect(decryptField(dekAgain, email, fieldAad(SUBJECT_A, 'email'))).toBe('jan@example.com');
  });

  it('rejects a data key of the wrong size and an empty subject id', () => {
    expect(() => wrapDataKey(ringV1, Buffer.alloc(16), SUBJECT_A)).toThrow(TypeError);
    expect(() => wrapDataKey(ringV1, generateDataKey(), '')).toThrow(TypeError);
  });
});
