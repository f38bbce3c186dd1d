import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { Env } from '../config/env';
import { Housekeeping, JobHandler } from '../jobs';
import { RequestTokensRepository } from './request-tokens.repository';
import { RequestsRepository } from './requests.repository';

// Scheduled at REQUEST_RESULT_PURGE_CRON by the registry in src/jobs/schedules.ts.
export const RESULT_PURGE_JOB = 'maintenance.request-result-purge';
const BATCH = 200;
const DAY_MS = 24 * 3600 * 1000;

/**
 * LEGAL item 22 and Art. 5(1)(e): an access or portability package is a complete copy of someone's data.
 * Once its download link can no longer work (REQUEST_DOWNLOAD_TTL_DAYS) it has no purpose left and goes:
 * the sealed ZIP is deleted; the request, its certificate and the audit entries (ids only) stay.
 */
@Injectable()
export class RequestResultPurge {
  private readonly logger = new Logger(RequestResultPurge.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly audit: AuditService,
    private readonly env: Env,
    tokens: RequestTokensRepository,
    housekeeping: Housekeeping,
  ) {
    // A week past its expiry a link answers "unknown" rather than "expired": nothing more is lost.
    housekeeping.register({ table: 'request_tokens', purge: (limit) => tokens.deleteExpiredOlderThan(7, limit) });
  }

  @JobHandler(RESULT_PURGE_JOB)
  run(): Promise<{ purged: number }> {
    return this.purge(new Date());
  }

  /** Idempotent: a second run finds nothing older than the limit. Batches keep each transaction short. */
  async purge(now = new Date()): Promise<{ purged: number }> {
    const before = new Date(now.getTime() - this.env.REQUEST_DOWNLOAD_TTL_DAYS * DAY_MS);
    let purged = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (m) => {
        const rows = await this.repo.lockResultsBefore(m, before, BATCH);
        if (!rows.length) return 0;
        await this.repo.deleteResults(
          m,
          rows.map((r) => r.request_id),
        );
        for (const r of rows) {
          await this.audit.append(m, {
            action: 'request.result_purged',
            targetType: 'request',
            targetId: r.request_id,
            data: {
              size: r.size,
              createdAt: new Date(r.created_at).toISOString(),
              ttlDays: this.env.REQUEST_DOWNLOAD_TTL_DAYS,
            },
          });
        }
        return rows.length;
      });
      purged += n;
      if (n < BATCH) break;
    }
    if (purged) this.logger.log({ purged }, 'expired request packages purged');
    return { purged };
  }
}
