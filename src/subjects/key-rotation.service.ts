import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import { DecryptionError, rewrapDataKey } from '../common/crypto/envelope';
import { SubjectKeysRepository } from './subject-keys.repository';

export interface KeyRotationReport {
  currentVersion: number;
  /** Subject data keys moved to the current master key version by this run. */
  rewrapped: number;
  /** Keys that could not be unwrapped (their master version is not configured); ids are logged. */
  failed: number;
  /** Keys still under an older version after the run (failed ones, or written by an old replica). */
  remaining: number;
  /** Other sealed data (webhook secrets, queued e-mails), per module. */
  resealed: Record<string, number>;
}

type Resealer = () => Promise<number>;

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Master key rotation, online. Procedure (docs/subjects.md, "Keys and backups"): give every replica
 * the new ENCRYPTION_KEY with the old one in ENCRYPTION_KEYS_PREVIOUS, then run `npm run keys:rotate`,
 * then drop the old version. Only the wrapping changes, never a data key, so no ciphertext is rewritten
 * and a reader holding either wrapping can still open it: reads and writes carry on throughout.
 */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger(KeyRotationService.name);
  private readonly resealers: { name: string; fn: Resealer }[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SubjectKeysRepository,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
  ) {}

  /** Modules that seal their own secrets with CryptoService.seal move them to the current version here. */
  register(name: string, fn: Resealer): void {
    this.resealers.push({ name, fn });
  }

  async rotate(options: { batchSize?: number } = {}): Promise<KeyRotationReport> {
    const batchSize = options.batchSize ?? 500;
    const current = this.crypto.keyring.currentVersion;
    let after = NIL_UUID;
    let rewrapped = 0;
    let failed = 0;
    for (;;) {
      const rows = await this.keys.staleKeys(this.dataSource.manager, current, after, batchSize);
      if (!rows.length) break;
      after = rows[rows.length - 1].subject_id;
      const next: { id: string; wrapped: Buffer; old: number }[] = [];
      for (const r of rows) {
        try {
          const w = rewrapDataKey(this.crypto.keyring, r.wrapped_key, r.key_version, r.subject_id);
          next.push({ id: r.subject_id, wrapped: w.wrapped, old: r.key_version });
        } catch (e) {
          if (!(e instanceof DecryptionError)) throw e;
          failed += 1;
          this.logger.warn({ subjectId: r.subject_id, reason: e.reason }, 'data key could not be rewrapped');
        }
      }
      if (next.length) rewrapped += await this.keys.rewrapKeys(this.dataSource.manager, next, current);
    }
    const resealed: Record<string, number> = {};
    for (const r of this.resealers) resealed[r.name] = await r.fn();
    const remaining = await this.keys.countStale(this.dataSource.manager, current);
    const report = { currentVersion: current, rewrapped, failed, remaining, resealed };
    await this.dataSource.transaction((m) =>
      this.audit.append(m, {
        action: 'keys.rotated',
        targetType: 'master_key',
        targetId: String(current),
        data: { ...report },
      }),
    );
    this.logger.log(report, 'master key rotation finished');
    return report;
  }
}
