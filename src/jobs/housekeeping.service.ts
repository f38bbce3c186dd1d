import { Injectable, Logger } from '@nestjs/common';
import { purgeInBatches } from '../common/db/purge-in-batches';
import { JobHandler } from './job-handler.decorator';

/** One table's retention: `purge(limit)` deletes at most `limit` rows past their time and answers how many. */
export interface HousekeepingRule {
  /** The table, as logged and answered by the job. */
  table: string;
  purge: (limit: number) => Promise<number>;
}

/**
 * Issue 25 item 8: every table that grows has a retention. The per-row logs of deliveries and call-backs, spent
 * tokens, retention runs' item lists and e-mail records each register their rule here (in the module that owns the
 * table, where its SQL lives); one daily job (`maintenance.housekeeping`, HOUSEKEEPING_CRON) runs them all. A rule that
 * fails does not stop the others; the job then fails, so it is retried and shows as failed.
 */
@Injectable()
export class Housekeeping {
  private readonly logger = new Logger(Housekeeping.name);
  private readonly rules: HousekeepingRule[] = [];

  register(rule: HousekeepingRule): void {
    this.rules.push(rule);
  }

  /** Job `maintenance.housekeeping`: rows deleted per table. Idempotent: a second run finds nothing. */
  @JobHandler('maintenance.housekeeping')
  async run(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    const failed: string[] = [];
    for (const rule of this.rules) {
      try {
        deleted[rule.table] = await purgeInBatches(rule.purge);
      } catch (error) {
        failed.push(rule.table);
        this.logger.error({ table: rule.table, err: error }, 'housekeeping rule failed');
      }
    }
    this.logger.log({ deleted }, 'housekeeping done');
    if (failed.length) throw new Error(`housekeeping failed for ${failed.join(', ')}`);
    return deleted;
  }
}
