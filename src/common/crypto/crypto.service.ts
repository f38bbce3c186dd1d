import { Global, Injectable, Module } from '@nestjs/common';
import { Env } from '../../config/env';
import { IdentifierKind } from '../identifiers/normalise';
import { blindIndex, suppressionHash } from './blind-index';
import { decryptField, encryptField, unwrapDataKey, wrapDataKey, WrappedDataKey } from './envelope';
import { MasterKeyring, parseBlindIndexKey, parseMasterKeys } from './keyring';
import { signToken, TokenVerification, verifyToken } from './tokens';

// Service-level secrets (webhook secrets, queued e-mails) are sealed with a data key of their own,
// wrapped like a subject's: the "subject id" is a fixed label so such blobs can never pass as a subject's.
const SERVICE_LABEL = '00000000-0000-0000-0000-000000000000';

/** The master keyring and everything derived from it, as one injectable. */
@Injectable()
export class CryptoService {
  readonly keyring: MasterKeyring;
  private readonly indexKey: Buffer;
  private readonly suppressionKey: Buffer;

  constructor(env: Env) {
    const { keys, current } = parseMasterKeys(
      env.ENCRYPTION_KEY,
      env.ENCRYPTION_KEYS_PREVIOUS,
      env.ENCRYPTION_KEY_VERSION,
    );
    this.keyring = new MasterKeyring(keys, current, { blindIndexKey: parseBlindIndexKey(env.BLIND_INDEX_KEY) });
    this.indexKey = this.keyring.deriveKey('blind-index');
    this.suppressionKey = this.keyring.deriveKey('suppression');
  }

  blindIndex(kind: IdentifierKind, normalised: string): Buffer {
    return blindIndex(this.indexKey, kind, normalised);
  }

  suppressionHash(kind: IdentifierKind, normalised: string): string {
    return suppressionHash(this.suppressionKey, kind, normalised);
  }

  wrap(dek: Buffer, ownerId: string): WrappedDataKey {
    return wrapDataKey(this.keyring, dek, ownerId);
  }

  unwrap(wrapped: Buffer, keyVersion: number, ownerId: string): Buffer {
    return unwrapDataKey(this.keyring, wrapped, keyVersion, ownerId);
  }

  /** Seals a service-level secret (not a subject's data); `aad` binds it to its row and column. */
  seal(plaintext: string, aad: string): Buffer {
    const dek = this.keyring.deriveKey('wrap');
    const sealed = encryptField(dek, plaintext, `${SERVICE_LABEL}:${aad}`);
    return Buffer.concat([Buffer.from([this.keyring.currentVersion]), sealed]);
  }

  open(blob: Buffer, aad: string): string {
    const dek = this.keyring.deriveKey('wrap', blob[0]);
    return decryptField(dek, blob.subarray(1), `${SERVICE_LABEL}:${aad}`);
  }

  signToken(payload: { purpose: string; [k: string]: string | number | boolean }, ttlSeconds: number): string {
    return signToken(this.keyring.deriveKey('token'), payload, ttlSeconds, Math.floor(Date.now() / 1000));
  }

  /** Accepts tokens signed under any master key version still configured (links mailed before a rotation). */
  verifyToken(token: string, purpose: string): TokenVerification {
    const keys = this.keyring.deriveAllKeys('token').map((k) => k.key);
    return verifyToken(keys, token, Math.floor(Date.now() / 1000), purpose);
  }
}

@Global()
@Module({ providers: [CryptoService], exports: [CryptoService] })
export class CryptoModule {}
