import { exportJWK, type JWK } from 'jose';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { CryptoService } from './crypto.service';

/** A new key pair for signing: the public half as SPKI PEM, the private half (PKCS#8 PEM) sealed with the keyring. */
export function sealedKeyPair(
  crypto: CryptoService,
  kind: 'ed25519' | 'rsa',
  aad: string,
): { publicKey: string; privateKeySealed: Buffer } {
  const pair =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  return {
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privateKeySealed: crypto.seal(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, aad),
  };
}

/** The JWKS publishing these keys (retired ones too: what they signed must still verify). */
export async function publicJwks(keys: { id: string; alg: string; publicKey: string }[]): Promise<{ keys: JWK[] }> {
  const out: JWK[] = [];
  for (const k of keys)
    out.push({ ...(await exportJWK(createPublicKey(k.publicKey))), kid: k.id, alg: k.alg, use: 'sig' });
  return { keys: out };
}
