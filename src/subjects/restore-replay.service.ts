import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErasureJournal } from './erasure-journal.service';
import { SubjectBatchErasure } from './subject-batch-erasure';

export interface ReplayReport {
  files: number;
  entries: number;
  /** Lines that are not a journal entry: a line torn by a crash mid-append (its job wrote it again whole). */
  unreadableLines: number;
  /** Distinct subjects the journal (after `since`) names. */
  subjects: number;
  /** Erased (or anonymised) again in this database by this run. */
  replayed: number;
  /** Erased already, or not in this database (created after the backup): nothing to do. */
  alreadyGone: number;
  /** Under a legal hold in the restored data (placed before the backup, released after it): left for the DPO. */
  held: string[];
  /** Data key that could not be opened (its master key version missing): left alone, as an erasure would. */
  failed: string[];
}

const BATCH = 500;

/**
 * `npm run restore:replay` (issue 25, restore drill): after PostgreSQL is restored from a backup, the subjects erased
 * since it was taken are back with their keys. The erasure journal, kept outside the database, names them all.
 */
@Injectable()
export class RestoreReplay {
  private readonly logger = new Logger(RestoreReplay.name);

  constructor(
    private readonly journal: ErasureJournal,
    private readonly batch: SubjectBatchErasure,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Erases again, in this database, every subject the journal names (those erased at or after `since`, when given:
   * the backup's time). An erasure beats an anonymisation of the same subject. Each batch is its own transaction
   * and is audited (`restore-replay`) and journaled like any erasure.
   */
  async replay(options: { dir?: string; since?: Date } = {}): Promise<ReplayReport> {
    const { files, entries, unreadable } = await this.journal.read(options.dir);
    const since = options.since?.getTime() ?? -Infinity;
    const suppress = new Map<string, boolean>();
    for (const e of entries) {
      if (Date.parse(e.erasedAt) < since) continue;
      suppress.set(e.subjectId, (suppress.get(e.subjectId) ?? false) || e.kind === 'erased');
    }
    const report: ReplayReport = {
      files,
      entries: entries.length,
      unreadableLines: unreadable,
      subjects: suppress.size,
      replayed: 0,
      alreadyGone: 0,
      held: [],
      failed: [],
    };
    const ids = [...suppress.keys()];
    for (let i = 0; i < ids.length; i += BATCH) {
      const targets = ids
        .slice(i, i + BATCH)
        .map((subjectId) => ({ subjectId, reason: 'restore-replay', suppress: suppress.get(subjectId)! }));
      const outcome = await this.dataSource.transaction((m) => this.batch.erase(m, targets));
      report.replayed += outcome.erased.length;
      report.alreadyGone += outcome.gone.length;
      report.held.push(...outcome.held);
      report.failed.push(...outcome.failed.keys());
    }
    this.logger.log({ ...report, held: report.held.length, failed: report.failed.length }, 'erasure journal replayed');
    return report;
  }
}
