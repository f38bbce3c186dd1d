import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { createPrivateKey, KeyObject, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit';
import { CryptoService } from '../../common/crypto/crypto.service';
import { publicJwks, sealedKeyPair } from '../../common/crypto/signing-key-pair';
import { RequestSigningKey } from '../request-signing-key.entity';
import { type KeyUse, SigningKeysRepository } from './signing-keys.repository';

export type { KeyUse };

// Ed25519 for erasure certificates (compact, fast, JWS "EdDSA"); RSA-SHA256 for OpenGDPR, as its
// specification requires.
const ALG: Record<KeyUse, string> = { certificate: 'EdDSA', opengdpr: 'RS256' };
// Another replica may have created or rotated a key; a short cache keeps signing off the database.
const CACHE_MS = 60_000;

export interface ActiveKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

/**
 * The requests module's signing keys, generated on first use, private halves sealed at rest. Retired
 * keys stay published so that certificates signed with them still verify.
 */
@Injectable()
export class SigningKeys {
  private readonly cache = new Map<KeyUse, ActiveKey & { until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: SigningKeysRepository,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
  ) {}

  async active(use: KeyUse): Promise<ActiveKey> {
    const cached = this.cache.get(use);
    if (cached && cached.until > Date.now()) return cached;
    const row = await this.dataSource.transaction(async (m) => {
      // Two replicas signing their first certificate at once must not both create "the" key.
      await this.repo.lockUse(m, use);
      const found = await this.repo.findActive(m, use);
      if (found) return found;
      const created = this.generate(use);
      await this.repo.insert(m, created);
      await this.audit.append(m, {
        action: 'request_signing_key.created',
        targetType: 'request_signing_key',
        targetId: created.id,
        data: { use, alg: created.alg },
      });
      return created;
    });
    const key: ActiveKey = {
      kid: row.id,
      alg: row.alg,
      privateKey: createPrivateKey(this.crypto.open(row.privateKeySealed, aad(row.id))),
      publicKeyPem: row.publicKey,
    };
    this.cache.set(use, { ...key, until: Date.now() + CACHE_MS });
    return key;
  }

  async jwks(use: KeyUse): Promise<{ keys: JWK[] }> {
    return publicJwks(await this.repo.listForUse(use));
  }

  private generate(use: KeyUse): RequestSigningKey {
    const id = randomUUID();
    return {
      id,
      use,
      alg: ALG[use],
      ...sealedKeyPair(this.crypto, use === 'certificate' ? 'ed25519' : 'rsa', aad(id)),
      createdAt: new Date(),
      retiredAt: null,
    };
  }
}

const aad = (id: string) => `request_signing_keys:${id}`;
