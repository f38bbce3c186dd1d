import { Injectable, Logger } from '@nestjs/common';
import { CompactSign, compactVerify, decodeProtectedHeader, type JWK } from 'jose';
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { CryptoService } from '../common/crypto/crypto.service';
import { publicJwks, sealedKeyPair } from '../common/crypto/signing-key-pair';
import { writeFileDurably } from '../common/fs/durable-write';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import type { AuditCheckpoint, AuditSigningKey } from './audit-checkpoint.entity';
import { AuditCheckpointsRepository } from './audit-checkpoints.repository';
import { AuditTreeRepository } from './audit-tree.repository';
import { AuditService } from './audit.service';

/** What a checkpoint signs. */
export interface CheckpointClaims {
  treeSize: number;
  /** The tree's root, hex (RFC 9162 MTH). */
  rootHash: string;
  issuedAt: string;
}

export interface CheckpointView extends CheckpointClaims {
  kid: string;
  /** The compact JWS (EdDSA) a verifier keeps outside the database. */
  jws: string;
}

const TYP = 'zgoda-audit-checkpoint';
const aad = (id: string) => `audit_signing_keys:${id}`;

/**
 * Signed checkpoints of the audit tree (issue 16 item 2): the worker signs the sealed tree's size and root every
 * AUDIT_CHECKPOINT_INTERVAL seconds (when it grew) and writes each to AUDIT_CHECKPOINT_DIR before recording it, so
 * every recorded checkpoint also exists outside the database. A verifier holding one detects any later truncation or
 * rewrite of what it covers.
 */
@Injectable()
export class AuditCheckpoints {
  private readonly logger = new Logger(AuditCheckpoints.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: AuditCheckpointsRepository,
    private readonly tree: AuditTreeRepository,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  /** Signs the sealed tree if it grew since the last checkpoint; returns the new checkpoint, or null. */
  async issue(): Promise<CheckpointView | null> {
    const tree = await this.tree.tree();
    const size = Number(tree.size);
    const latest = await this.repo.latest();
    if (size === 0 || (latest && Number(latest.treeSize) >= size)) return null;
    const key = await this.activeKey();
    const claims: CheckpointClaims = {
      treeSize: size,
      rootHash: tree.root.toString('hex'),
      issuedAt: new Date().toISOString(),
    };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.id, typ: TYP })
      .sign(createPrivateKey(this.crypto.open(key.privateKeySealed, aad(key.id))));
    // Outside the database first: a checkpoint recorded but never exported would be one a verifier cannot hold.
    await writeFileDurably(
      join(this.env.AUDIT_CHECKPOINT_DIR, `checkpoint-${String(size).padStart(12, '0')}.jws`),
      `${jws}\n`,
    );
    const row: AuditCheckpoint = {
      treeSize: String(size),
      rootHash: tree.root,
      issuedAt: new Date(claims.issuedAt),
      kid: key.id,
      jws,
    };
    const inserted = await this.dataSource.transaction((m) => this.repo.insertCheckpoint(m, row));
    if (inserted) this.logger.log({ treeSize: size }, 'audit checkpoint issued');
    return inserted ? { ...claims, kid: key.id, jws } : null;
  }

  async latest(): Promise<CheckpointView | null> {
    const row = await this.repo.latest();
    return row ? toView(row) : null;
  }

  jwks(): Promise<{ keys: JWK[] }> {
    return this.repo.keys().then(publicJwks);
  }

  /** The claims of a checkpoint whose signature one of this installation's keys verifies; 422 otherwise. */
  async open(jws: string): Promise<CheckpointClaims & { kid: string }> {
    const invalid = (why: string) => new ProblemError('checkpoint_invalid', `The checkpoint ${why}.`);
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(jws);
      if (header.typ !== TYP || header.alg !== 'EdDSA') throw invalid('is not an audit checkpoint');
      kid = header.kid;
    } catch (e) {
      throw e instanceof ProblemError ? e : invalid('is not a compact JWS');
    }
    const key = kid && /^[0-9a-f-]{36}$/.test(kid) ? await this.repo.key(kid) : null;
    if (!key) throw invalid('names no signing key of this installation');
    let claims: Partial<CheckpointClaims>;
    try {
      const { payload } = await compactVerify(jws, createPublicKey(key.publicKey), { algorithms: ['EdDSA'] });
      claims = JSON.parse(new TextDecoder().decode(payload)) as Partial<CheckpointClaims>;
    } catch {
      throw invalid('signature does not verify');
    }
    const ok =
      Number.isSafeInteger(claims.treeSize) &&
      claims.treeSize! >= 0 &&
      typeof claims.rootHash === 'string' &&
      /^[0-9a-f]{64}$/.test(claims.rootHash) &&
      typeof claims.issuedAt === 'string';
    if (!ok) throw invalid('claims are malformed');
    return { ...(claims as CheckpointClaims), kid: key.id };
  }

  /**
   * Signs later checkpoints with a new key. The old one is retired, not deleted: checkpoints kept outside still
   * verify against the JWKS, which lists every key.
   */
  async rotate(): Promise<{ kid: string }> {
    const key = await this.dataSource.transaction(async (m) => {
      await this.repo.lockKeys(m);
      const retired = await this.repo.retireActive(m);
      return this.createKey(m, 'audit_signing_key.rotated', { retired });
    });
    return { kid: key.id };
  }

  private async activeKey(): Promise<AuditSigningKey> {
    const found = await this.repo.activeKey();
    if (found) return found;
    return this.dataSource.transaction(async (m) => {
      await this.repo.lockKeys(m);
      const again = await this.repo.activeKey(m);
      if (again) return again;
      return this.createKey(m, 'audit_signing_key.created', {});
    });
  }

  private async createKey(m: EntityManager, action: string, data: Record<string, unknown>): Promise<AuditSigningKey> {
    const id = randomUUID();
    const key: AuditSigningKey = {
      id,
      alg: 'EdDSA',
      ...sealedKeyPair(this.crypto, 'ed25519', aad(id)),
      createdAt: new Date(),
      retiredAt: null,
    };
    await this.repo.insertKey(m, key);
    await this.audit.append(m, {
      action,
      targetType: 'audit_signing_key',
      targetId: id,
      data: { alg: key.alg, ...data },
    });
    return key;
  }
}

const toView = (r: AuditCheckpoint): CheckpointView => ({
  treeSize: Number(r.treeSize),
  rootHash: r.rootHash.toString('hex'),
  issuedAt: r.issuedAt.toISOString(),
  kid: r.kid,
  jws: r.jws,
});
