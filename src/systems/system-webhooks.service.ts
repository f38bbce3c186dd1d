import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CryptoService } from '../common/crypto/crypto.service';
import { signWebhook, verifyWebhookSignature } from '../common/crypto/webhook-signature';
import { PREVIOUS_SECRET_GRACE_MS } from './system-rules';
import { SealedWebhook, SystemsRepository } from './systems.repository';

// Other replicas learn of a changed webhook within this time; this replica at once.
const REFRESH_MS = 10_000;

export const secretAad = (systemId: string) => `system:${systemId}:webhook_secret`;
export const previousSecretAad = (systemId: string) => `system:${systemId}:webhook_previous_secret`;

/**
 * Signing of outgoing task calls and verification of callbacks, synchronous on the request path: the
 * sealed webhook secrets are held in memory (opened only for the call that needs them) and refreshed
 * from the database after every local change and every REFRESH_MS.
 */
@Injectable()
export class SystemWebhooks implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SystemWebhooks.name);
  private cache = new Map<string, SealedWebhook>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: SystemsRepository,
    private readonly crypto: CryptoService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((e: Error) => this.logger.warn({ error: e.message }, 'webhook cache refresh failed'));
    }, REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const rows = await this.repo.sealedWebhooks();
    this.cache = new Map(rows.map((r) => [r.id, r]));
  }

  get(systemId: string): { url: string; secret: string } | null {
    const row = this.cache.get(systemId);
    if (!row) return null;
    return { url: row.webhookUrl, secret: this.crypto.open(row.webhookSecret, secretAad(systemId)) };
  }

  /** The `x-zgoda-signature` header value for `body`, exactly the bytes that will be sent. */
  sign(systemId: string, body: string, now = Math.floor(Date.now() / 1000)): string | null {
    const hook = this.get(systemId);
    return hook ? signWebhook(hook.secret, body, now) : null;
  }

  /** True only for a fresh signature by the system's secret (or the one it replaced, within the grace period). */
  verify(systemId: string, header: string | undefined, body: string, now = Date.now()): boolean {
    const row = this.cache.get(systemId);
    if (!row) return false;
    const secrets = [this.crypto.open(row.webhookSecret, secretAad(systemId))];
    const rotatedAt = row.webhookSecretRotatedAt?.getTime() ?? 0;
    if (row.webhookPreviousSecret && now - rotatedAt < PREVIOUS_SECRET_GRACE_MS) {
      secrets.push(this.crypto.open(row.webhookPreviousSecret, previousSecretAad(systemId)));
    }
    return verifyWebhookSignature(secrets, header, body, Math.floor(now / 1000)).ok;
  }

  /** Master key rotation: re-seals every secret under the current version. */
  async reseal(): Promise<number> {
    let resealed = 0;
    const current = this.crypto.keyring.currentVersion;
    for (const row of await this.repo.sealedWebhooks()) {
      const pairs = [
        ['webhookSecret', row.webhookSecret, secretAad(row.id)],
        ['webhookPreviousSecret', row.webhookPreviousSecret, previousSecretAad(row.id)],
      ] as const;
      for (const [column, blob, aad] of pairs) {
        if (!blob || blob[0] === current) continue;
        const next = this.crypto.seal(this.crypto.open(blob, aad), aad);
        if (await this.repo.replaceSealed(row.id, column, blob, next)) resealed += 1;
      }
    }
    await this.refresh();
    return resealed;
  }
}
