import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { JobHandler } from '../jobs';
import type { JobPayloads } from '../jobs';
import { ImportedSubject, SubjectImporter, SubjectLookupService } from '../subjects';
import { ConsentDecision } from './consent.types';
import { ConsentBulkWriter, LockedDraft } from './consent-bulk-writer.service';
import { draftFor, Target } from './consent-draft';
import { ConsentImport } from './consent-import.entity';
import type { EventDraft } from './consent-writer.service';
import { ConsentsService } from './consents.service';
import {
  checkRow,
  importInputs,
  Prepared,
  problemRows,
  RowInput,
  RowOutcome,
  rowErrors,
  subjectLocale,
} from './import-rows';
import { ImportsRepository } from './imports.repository';
import { ImportTexts, TextRef } from './import-texts.service';

const BATCH = 500;

interface Checked {
  batch: { n: number; input: RowInput }[];
  outcomes: RowOutcome[];
  kept: Prepared[];
}

/**
 * Job `imports.run` (job id `import:<id>`), issue 14 item 1: works off an import's rows in file order, in batches
 * of 500, each batch one transaction: the same rules as a live decision (`draftFor`), the same rows, projection,
 * feed and receipts (`ConsentBulkWriter`), with the rows' original `occurredAt`, its counters, row errors and one
 * audit entry. At least once: a re-delivered or resumed job starts at the first batch not committed, and a row
 * recorded before finds its import key taken.
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger(ImportRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ImportsRepository,
    private readonly consents: ConsentsService,
    private readonly subjects: SubjectImporter,
    private readonly lookup: SubjectLookupService,
    private readonly writer: ConsentBulkWriter,
    private readonly audit: AuditService,
    private readonly texts: ImportTexts,
  ) {}

  @JobHandler('imports.run')
  async run({ importId }: JobPayloads['imports.run'], job?: Job): Promise<{ outcome: string }> {
    try {
      return await this.work(importId);
    } catch (error) {
      // The last attempt failed: the import is marked failed, so the company sees it stopped (with the rows already
      // recorded kept) instead of an import `running` for ever. Earlier attempts leave it running: the retry resumes.
      if (job && job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await this.fail(importId, error);
      throw error;
    }
  }

  /** Ids and the error's kind only: a message could quote a row of the file (personal data). */
  private async fail(importId: string, error: unknown): Promise<void> {
    const kind = error instanceof ProblemError ? error.code : error instanceof Error ? error.name : 'error';
    await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lock(m, importId);
      if (!row || (row.status !== 'queued' && row.status !== 'running')) return;
      await this.repo.update(m, importId, { status: 'failed', finishedAt: new Date() });
      await this.audit.append(m, {
        action: 'consent_import.failed',
        targetType: 'consent_import',
        targetId: importId,
        data: { error: kind, rowsRead: row.rowsRead },
      });
    });
    this.logger.error({ importId, error: kind }, 'consent import failed after its last attempt');
  }

  private async work(importId: string): Promise<{ outcome: string }> {
    const started = await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lock(m, importId);
      if (!row || (row.status !== 'queued' && row.status !== 'running')) return null;
      await this.repo.update(m, importId, { status: 'running', startedAt: row.startedAt ?? new Date() });
      return row;
    });
    if (!started) return { outcome: 'nothing_to_do' };
    // Texts brought in with the rows first: each is published at the earliest time a row says it was agreed to.
    const texts = started.dryRun
      ? new Map<string, TextRef>()
      : await this.texts.bringIn(started, importInputs(this.repo, started));
    const counts = {
      read: started.rowsRead,
      imported: started.rowsImported,
      skipped: started.rowsSkipped,
      failed: started.rowsFailed,
    };
    const targets = new Map<string, Target | ProblemError>();
    // One batch in the database while the next is read and checked here: the worker's CPU and the database's
    // overlap. Batches still commit one after another, in file order. Settled to a value, so a failed commit
    // is never an unhandled rejection while the next batch is being checked.
    let inFlight: Promise<{ ok: boolean } | { error: unknown }> = Promise.resolve({ ok: true });
    const settled = async () => {
      const r = await inFlight;
      if ('error' in r) throw r.error;
      return r.ok;
    };
    const flush = async (rows: { n: number; input: RowInput }[]) => {
      const checked = await this.check(started, rows, texts, targets);
      if (!(await settled())) return false;
      inFlight = this.commit(started, checked, counts).then(
        (ok) => ({ ok }),
        (error: unknown) => ({ error }),
      );
      return true;
    };
    let batch: { n: number; input: RowInput }[] = [];
    let seen = 0;
    for await (const item of importInputs(this.repo, started)) {
      // Resumed: the rows counted before are done (each committed with its counters).
      if (++seen <= started.rowsRead) continue;
      batch.push(item);
      if (batch.length >= BATCH) {
        if (!(await flush(batch))) return { outcome: 'cancelled' };
        batch = [];
      }
    }
    if (batch.length && !(await flush(batch))) return { outcome: 'cancelled' };
    if (!(await settled())) return { outcome: 'cancelled' };
    await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lock(m, importId);
      if (!row || row.status !== 'running') return;
      await this.repo.update(m, importId, { status: 'completed', finishedAt: new Date() });
      await this.audit.append(m, {
        action: 'consent_import.completed',
        targetType: 'consent_import',
        targetId: importId,
        data: { ...counts, dryRun: started.dryRun },
      });
    });
    this.logger.log({ importId, ...counts }, 'consent import completed');
    return { outcome: 'completed' };
  }

  /** A batch's rows checked (fields, purpose and text, suppression): what is left to write, and the rest's outcomes. */
  private async check(
    imp: ConsentImport,
    batch: { n: number; input: RowInput }[],
    texts: Map<string, TextRef>,
    targets: Map<string, Target | ProblemError>,
  ): Promise<Checked> {
    const outcomes: RowOutcome[] = [];
    const ready: Prepared[] = [];
    for (const [i, { input }] of batch.entries()) {
      const prepared = await this.prepare(imp, input, texts, targets);
      if ('dto' in prepared) ready.push({ ...prepared, i, n: batch[i].n });
      else outcomes[i] = prepared.outcome;
    }
    await this.refuseSuppressed(ready, outcomes);
    return { batch, outcomes, kept: ready.filter((p) => outcomes[p.i] === undefined) };
  }

  /**
   * Records one batch in one transaction: its subjects found or created, its events written together, its row
   * errors, its counters and one audit entry for the batch (the import, the counts); false when the import was
   * cancelled meanwhile (nothing more is done). A fault rolls the batch back whole: the job resumes at it.
   */
  private async commit(
    imp: ConsentImport,
    { batch, outcomes, kept }: Checked,
    counts: { read: number; imported: number; skipped: number; failed: number },
  ): Promise<boolean> {
    const current = await this.repo.find(imp.id);
    if (current?.status !== 'running') return false;
    await this.dataSource.transaction(async (m) => {
      let created = 0;
      if (imp.dryRun) {
        // Checked against the rules as for a new person: nothing is looked up, created or written.
        for (const p of kept) outcomes[p.i] = rowErrors(() => this.draft(imp, p, null)) ?? 'imported';
      } else {
        created = await this.write(m, imp, kept, outcomes);
      }
      const errors: { importId: string; rowNumber: number; field: string; code: string; message: string }[] = [];
      const before = { ...counts };
      batch.forEach(({ n }, i) => {
        const outcome = outcomes[i];
        counts.read += 1;
        if (outcome === 'imported') counts.imported += 1;
        else if (outcome === 'skipped') counts.skipped += 1;
        else {
          counts.failed += 1;
          errors.push(...outcome.map((e) => ({ importId: imp.id, rowNumber: n, ...e })));
        }
      });
      await this.repo.insertErrors(m, errors);
      await this.repo.update(m, imp.id, {
        rowsRead: counts.read,
        rowsImported: counts.imported,
        rowsSkipped: counts.skipped,
        rowsFailed: counts.failed,
      });
      if (imp.dryRun) return;
      // Issue 14 item 1: one audit entry per batch, not one per row.
      await this.audit.append(m, {
        action: 'consent_import.batch',
        targetType: 'consent_import',
        targetId: imp.id,
        data: {
          rows: { from: batch[0].n, to: batch[batch.length - 1].n },
          imported: counts.imported - before.imported,
          skipped: counts.skipped - before.skipped,
          failed: counts.failed - before.failed,
          subjectsCreated: created,
        },
      });
    });
    return true;
  }

  /** The batch's subjects found or created and locked, then its events written together; subjects created. */
  private async write(m: EntityManager, imp: ConsentImport, kept: Prepared[], outcomes: RowOutcome[]): Promise<number> {
    const { subjects, created } = await this.subjects.lockOrCreate(
      m,
      kept.map(({ dto }) => ({
        email: dto.subject.email,
        phone: dto.subject.phone,
        externalId: dto.subject.externalId,
        ...subjectLocale(dto.locale),
      })),
    );
    const drafts: { i: number; item: LockedDraft }[] = [];
    kept.forEach((p, j) => {
      const s = subjects[j];
      if ('error' in s) {
        outcomes[p.i] = [s.error];
        return;
      }
      let draft: EventDraft | undefined;
      const refused = rowErrors(() => {
        draft = this.draft(imp, p, s);
      });
      if (refused) outcomes[p.i] = refused;
      else drafts.push({ i: p.i, item: { draft: draft!, erased: s.status === 'erased' } });
    });
    const written = await this.writer.writeMany(
      m,
      drafts.map((d) => d.item),
    );
    written.forEach((w, k) => {
      outcomes[drafts[k].i] = w === 'skipped' ? 'skipped' : 'error' in w ? [w.error] : 'imported';
    });
    return created;
  }

  private draft(imp: ConsentImport, p: Prepared, s: Exclude<ImportedSubject, { error: unknown }> | null): EventDraft {
    return draftFor(p.dto, p.target, {
      subjectId: s?.id ?? p.key,
      minorUntil: s?.minorUntil ?? null,
      objected: s?.objectedToDirectMarketing ?? false,
      // A row whose own identifier is suppressed was refused before (refuseSuppressed).
      suppressed: false,
      gpc: false,
      importKey: p.key,
      importOrigin: { id: imp.id, row: p.n },
    });
  }

  /** LEGAL item 7: a contact that was erased or objected stays suppressed when it comes back in an import. */
  private async refuseSuppressed(ready: Prepared[], outcomes: RowOutcome[]): Promise<void> {
    const grants = ready.filter((p) => p.dto.decision === ConsentDecision.Granted);
    for (const kind of ['email', 'phone'] as const) {
      const values = grants.flatMap((p) => (p.dto.subject[kind] ? [p.dto.subject[kind]] : []));
      if (!values.length) continue;
      const suppressed = await this.lookup.suppressedSet(kind, values);
      for (const p of grants) {
        const value = p.dto.subject[kind];
        if (value && suppressed.has(value)) {
          outcomes[p.i] = [{ field: 'subject', code: 'suppressed', message: 'the contact is on the suppression list' }];
        }
      }
    }
  }

  /** A row made ready to write (its fields valid, its purpose and text found, its identity computed), or why not. */
  private async prepare(
    imp: ConsentImport,
    input: RowInput,
    texts: Map<string, TextRef>,
    targets: Map<string, Target | ProblemError>,
  ): Promise<Omit<Prepared, 'i' | 'n'> | { outcome: RowOutcome }> {
    const checked = await checkRow(imp, input, texts);
    if ('outcome' in checked) return checked;
    try {
      return { ...checked, target: await this.consents.importTarget(checked.dto, targets) };
    } catch (e) {
      const refused = problemRows(e);
      if (refused) return { outcome: refused };
      throw e;
    }
  }
}
