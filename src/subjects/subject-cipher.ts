import { Injectable } from '@nestjs/common';
import { CryptoService } from '../common/crypto/crypto.service';
import { decryptField, encryptField, fieldAad, generateDataKey, WrappedDataKey } from '../common/crypto/envelope';

/** The encrypted columns of `subjects`; the name is part of the associated data. */
export type ProfileColumn = 'first_name' | 'last_name' | 'birth_date' | 'locale';

export const identifierColumn = (identifierId: string) => `identifier.${identifierId}`;
export const holdColumn = (holdId: string) => `hold.${holdId}`;

/**
 * One subject's data key, opened for the duration of one operation. `close()` zeroes it, so a key
 * does not linger in memory after the request that needed it.
 */
export class SubjectKeyHandle {
  constructor(
    readonly subjectId: string,
    private readonly dek: Buffer,
  ) {}

  encrypt(column: string, value: string): Buffer {
    return encryptField(this.dek, value, fieldAad(this.subjectId, column));
  }

  decrypt(column: string, blob: Buffer): string {
    return decryptField(this.dek, blob, fieldAad(this.subjectId, column));
  }

  decryptOrNull(column: string, blob: Buffer | null): string | null {
    return blob ? this.decrypt(column, blob) : null;
  }

  close(): void {
    this.dek.fill(0);
  }
}

/** Per-subject envelope encryption (LEGAL item 31) on top of the master keyring. */
@Injectable()
export class SubjectCipher {
  constructor(private readonly crypto: CryptoService) {}

  /** A fresh data key for a new subject and its wrapped form to store. */
  newKey(subjectId: string): { handle: SubjectKeyHandle; wrapped: WrappedDataKey } {
    const dek = generateDataKey();
    const wrapped = this.crypto.wrap(dek, subjectId);
    return { handle: new SubjectKeyHandle(subjectId, dek), wrapped };
  }

  open(subjectId: string, wrappedKey: Buffer, keyVersion: number): SubjectKeyHandle {
    return new SubjectKeyHandle(subjectId, this.crypto.unwrap(wrappedKey, keyVersion, subjectId));
  }

  /** Runs `fn` with the subject's key open and zeroes the key afterwards, whatever happens. */
  with<T>(subjectId: string, wrappedKey: Buffer, keyVersion: number, fn: (key: SubjectKeyHandle) => T): T {
    const key = this.open(subjectId, wrappedKey, keyVersion);
    try {
      return fn(key);
    } finally {
      key.close();
    }
  }
}
