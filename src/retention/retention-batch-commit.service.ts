import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { OutboxService } from '../outbox';
import { addCounts, SubjectPlan, SweepSubject, tally } from './retention-plan';
import { RetentionRun } from './retention-run.entity';
import { ItemRow, RetentionRunsRepository } from './retention-runs.repository';
import { skippedOf } from './retention-views';
import { ACTIVE_RUN_STATUSES, OutcomeCounts, PolicyReport } from './retention.types';

/**
 * The last transaction of a batch (RetentionBatchRunner): records the skips, totals the batch from its
 * items, moves the cursor, writes the batch's audit entry and enqueues the next batch.
 */
@Injectable()
export class RetentionBatchCommit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RetentionRunsRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  async commit(run: RetentionRun, batch: number, page: SweepSubject[], passive: SubjectPlan[], last: boolean) {
    await this.dataSource.transaction(async (m) => {
      const current = await this.repo.lock(m, run.id);
      // Under the run's advisory lock nobody else moves it; a cancelled run stops at the next batch.
      if (!current || !ACTIVE_RUN_STATUSES.includes(current.status) || current.batches !== batch) return;
      const rows: ItemRow[] = passive.flatMap((p) => p.items.map((i) => ({ subjectId: p.subjectId, ...i })));
      await this.repo.insertItems(m, run.id, batch, rows);
      const items = await this.repo.batchItems(m, run.id, batch);
      if (!page.length && !items.length) {
        // The previous batch ended exactly at the last subject: nothing left but to close the run.
        await this.repo.update(m, run.id, { status: 'completed', finishedAt: new Date() });
        await this.audit.append(m, {
          action: 'retention.run_completed',
          targetType: 'retention_run',
          targetId: run.id,
          data: { dryRun: run.dryRun, batches: batch, scanned: current.scanned, ...this.totals(current) },
        });
        return;
      }
      const counts = tally(items);
      const inPage = new Set(page.map((s) => s.id));
      // Subjects destroyed by an attempt that crashed are no longer in the page but were examined.
      const scanned = page.length + new Set(items.filter((i) => !inPage.has(i.subjectId)).map((i) => i.subjectId)).size;
      const total = addCounts(this.totals(current), counts.run);
      await this.repo.update(m, run.id, {
        cursor: page.length ? page[page.length - 1].id : current.cursor,
        batches: batch + 1,
        scanned: current.scanned + scanned,
        matched: total.matched,
        processed: total.processed,
        failed: total.failed,
        skippedLegalHold: total.skipped.legalHold,
        skippedOpenRequest: total.skipped.openRequest,
        skippedRestricted: total.skipped.restricted,
        skippedActiveConsent: total.skipped.activeConsent,
        skippedRetained: total.skipped.retained,
        skippedReviewExists: total.skipped.reviewExists,
        byPolicy: this.mergeReports(current.byPolicy, counts.byPolicy),
        ...(last ? { status: 'completed' as const, finishedAt: new Date() } : {}),
      });
      await this.audit.append(m, {
        action: 'retention.batch',
        targetType: 'retention_run',
        targetId: run.id,
        data: { batch, dryRun: run.dryRun, scanned, ...counts.run, byPolicy: counts.byPolicy },
      });
      if (last) {
        await this.audit.append(m, {
          action: 'retention.run_completed',
          targetType: 'retention_run',
          targetId: run.id,
          data: { dryRun: run.dryRun, batches: batch + 1, scanned: current.scanned + scanned, ...total },
        });
      } else {
        await this.outbox.enqueue(
          m,
          'retention.run',
          { runId: run.id, batch: batch + 1 },
          { jobId: `${run.id}:${batch + 1}` },
        );
      }
    });
  }

  private totals(r: RetentionRun): OutcomeCounts {
    return {
      matched: r.matched,
      processed: r.processed,
      failed: r.failed,
      skipped: skippedOf(r),
    };
  }

  private mergeReports(
    current: Record<string, PolicyReport>,
    batch: Record<string, OutcomeCounts>,
  ): Record<string, PolicyReport> {
    const out = { ...current };
    for (const [key, counts] of Object.entries(batch)) {
      const report = out[key];
      if (!report) continue;
      out[key] = { ...report, ...addCounts(report, counts) };
    }
    return out;
  }
}
