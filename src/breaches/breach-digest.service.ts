import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { Env } from '../config/env';
import { Housekeeping, JobHandler } from '../jobs';
import { NotificationsService } from '../notifications';
import { deadlineOf } from './breach-deadline';
import { formatDate } from './breach-templates';
import { BreachesRepository } from './breaches.repository';

// Scheduled hourly by the registry in src/jobs/schedules.ts.
export const DIGEST_JOB = 'maintenance.breach-digest';
const HOUR_MS = 3_600_000;
// A digest is a reminder, not the register: the most urgent incidents, and the count of the rest.
const DIGEST_MAX_ITEMS = 50;

/**
 * Every hour, tells the DPO which incidents have less than 24 hours left to be notified to UODO or are
 * already late (Art. 33(1)). Nothing to report, nothing sent.
 */
@Injectable()
export class BreachDigestService {
  private readonly logger = new Logger(BreachDigestService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: BreachesRepository,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly env: Env,
    housekeeping: Housekeeping,
  ) {
    housekeeping.register({
      table: 'breach_digests',
      purge: (limit) => this.repo.deleteDigestsOlderThan(this.env.DELIVERY_LOG_RETENTION_DAYS, limit),
    });
  }

  /** At least once: the hour is the key, so a second delivery in the same hour sends nothing. */
  @JobHandler(DIGEST_JOB)
  async run(): Promise<{ sent: boolean; breaches: number }> {
    const now = new Date();
    const periodStart = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
    const rows = await this.repo.listNeedingAttention(DIGEST_MAX_ITEMS + 1);
    if (!rows.length) return { sent: false, breaches: 0 };
    const counts = await this.repo.clockCounts();
    const locale = this.env.DPO_LOCALE;
    const items = rows.slice(0, DIGEST_MAX_ITEMS).map((b) => {
      const d = deadlineOf(b, now);
      return {
        id: b.id,
        description: b.description,
        status: b.status,
        awareAt: formatDate(b.awareAt, locale),
        notifyAuthorityBy: formatDate(new Date(d.notifyAuthorityBy), locale),
        hoursLeft: d.hoursLeft,
        overdue: d.overdue,
      };
    });
    const sent = await this.dataSource.transaction(async (m) => {
      await this.repo.lockDigest(m, DIGEST_JOB);
      if (await this.repo.digestExists(m, periodStart)) return false;
      const emailId = await this.notifications.queueEmail(m, {
        to: this.env.DPO_EMAIL,
        template: 'breach-digest',
        locale,
        model: {
          dpo: { name: this.env.DPO_NAME },
          counts,
          items,
          more: Math.max(0, counts.atRisk + counts.overdue - items.length),
        },
      });
      await this.repo.insertDigest(m, { periodStart, emailId, breaches: counts.atRisk + counts.overdue });
      await this.audit.append(m, {
        action: 'breach.digest_queued',
        targetType: 'breach_digest',
        targetId: periodStart.toISOString(),
        data: { emailId, ...counts },
      });
      return true;
    });
    if (sent) this.logger.log({ ...counts }, 'breach digest queued for the DPO');
    return { sent, breaches: counts.atRisk + counts.overdue };
  }
}
