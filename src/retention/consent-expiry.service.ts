import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { Clock } from '../common/clock/clock';
import { ChangeFeed } from '../consent';
import { JobHandler } from '../jobs';
import { ConsentExpiriesRepository } from './consent-expiries.repository';

// Grants recorded per transaction, one audit entry each: a failed batch redoes at most this many.
const BATCH = 200;

/**
 * Consent given for a limited time (a grant's `expiresAt`, or the purpose's `validityDays`) ends on its
 * own. The consent module already reads such a grant as `expired` and the decision API says no from the
 * instant of expiry; this scheduled job (LEGAL item 25: enforcement is scheduled) records each expiry
 * once, with a `consent.expired` audit entry, so the end of the consent is in the record, and retention
 * counts its periods from it (`consent_withdrawn` policies).
 */
@Injectable()
export class ConsentExpiryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly expiries: ConsentExpiriesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly changes: ChangeFeed,
  ) {}

  /** Idempotent: a grant already recorded is skipped (primary key), also by a concurrent sweep. */
  @JobHandler('retention.consent-expiry')
  async sweep(): Promise<{ expired: number }> {
    const now = this.clock.now();
    let expired = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (m) => {
        const rows = await this.expiries.recordExpired(m, now, BATCH);
        // Issue 14 item 2: an expiry is a change mailing tools follow, in this transaction.
        await this.changes.record(
          m,
          ...rows.map((r) => ({
            type: 'consent_expired' as const,
            subjectId: r.subject_id,
            purposes: [r.purpose_key],
            channels: [r.channel],
          })),
        );
        for (const r of rows) {
          await this.audit.append(m, {
            action: 'consent.expired',
            targetType: 'consent',
            targetId: r.event_id,
            subjectId: r.subject_id,
            data: { purpose: r.purpose_key, channel: r.channel, expiresAt: new Date(r.expires_at).toISOString() },
          });
        }
        return rows.length;
      });
      expired += n;
      if (n < BATCH) return { expired };
    }
  }
}
