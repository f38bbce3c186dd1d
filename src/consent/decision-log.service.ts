import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { purgeInBatches } from '../common/db/purge-in-batches';
import { Env } from '../config/env';
import { JobHandler } from '../jobs';
import { ConsentDecisionRecord } from './consent-decision-record.entity';
import { BatchDecisionEntry, DecisionLogRepository, SingleDecisionEntry } from './decision-log.repository';

interface Waiting {
  entry: SingleDecisionEntry;
  resolve: () => void;
  reject: (e: unknown) => void;
}

// Large enough to carry a busy second's checks in a few statements, small enough for one quick INSERT.
const GROUP_MAX = 500;
const RESULTS_PAGE = 1000;

/**
 * Issue 14 item 3: decisions kept before they are answered. Single checks are group-committed: those that
 * arrive while one INSERT runs wait for the next, which writes them all in one statement, and each caller
 * answers only once its row is committed; a failed INSERT fails every caller in it (no answer without its
 * record). A batch is one transaction: its head and one row per answer.
 */
@Injectable()
export class DecisionLog {
  private waiting: Waiting[] = [];
  private flushing = false;

  private readonly logger = new Logger(DecisionLog.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: DecisionLogRepository,
    private readonly env: Env,
  ) {}

  record(entry: SingleDecisionEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    // Let the callers of this turn of the event loop join the first group.
    await new Promise((r) => setImmediate(r));
    while (this.waiting.length) {
      const group = this.waiting.splice(0, GROUP_MAX);
      try {
        await this.repo.insertSingles(group.map((w) => w.entry));
        for (const w of group) w.resolve();
      } catch (e) {
        for (const w of group) w.reject(e);
      }
    }
    this.flushing = false;
  }

  recordBatch(b: BatchDecisionEntry): Promise<void> {
    return this.dataSource.transaction((m) => this.repo.insertBatch(m, b));
  }

  find(id: string): Promise<ConsentDecisionRecord | null> {
    return this.repo.find(id);
  }

  /** A recorded batch's answers in input order, a page at a time (memory stays flat for 10,000). */
  async *results(id: string): AsyncGenerator<Record<string, unknown>> {
    for (let after = -1; ;) {
      const rows = await this.repo.resultsAfter(id, after, RESULTS_PAGE);
      for (const r of rows) {
        yield { n: r.n, subjectId: r.subject_id, allowed: r.allowed, reason: r.reason, consentId: r.consent_event_id };
      }
      if (rows.length < RESULTS_PAGE) return;
      after = rows[rows.length - 1].n;
    }
  }

  /** Job `maintenance.decision-log-purge`: decisions older than DECISION_LOG_RETENTION_DAYS go, answers with them. */
  @JobHandler('maintenance.decision-log-purge')
  async purgeExpired(): Promise<{ deleted: number }> {
    const before = new Date(Date.now() - this.env.DECISION_LOG_RETENTION_DAYS * 86_400_000);
    const deleted = await purgeInBatches((limit) => this.repo.deleteBefore(before, limit));
    if (deleted) this.logger.log({ deleted }, 'recorded decisions past their retention deleted');
    return { deleted };
  }
}
