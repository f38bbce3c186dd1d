import { Injectable } from '@nestjs/common';
import { access, mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EntityManager } from 'typeorm';
import { syncDirectory } from '../common/fs/durable-write';
import { Env } from '../config/env';
import { JobHandler, JobPayloads } from '../jobs';
import { OutboxService } from '../outbox';
import { isUuid } from './subject-lookup.service';

/** One line of the journal: no personal data, only which subject went, when, and how. */
export interface JournalEntry {
  v: 1;
  subjectId: string;
  erasedAt: string;
  kind: 'erased' | 'anonymised';
}

const FILE = /^erasures-\d{4}-\d{2}-\d{2}\.ndjson$/;

/**
 * The erasure journal (issue 25, restore drill). A restored backup brings back every subject erased after it was
 * taken: their wrapped keys and ciphertexts are in the dump. Each erasure therefore also commits an outbox row in its
 * transaction, and the worker appends it to a file outside the database (ERASURE_JOURNAL_DIR); after a restore,
 * `npm run restore:replay` erases again every subject the journal names. Appends are at-least-once (a retried job
 * writes its lines again) and replay is idempotent, so duplicates cost nothing.
 */
@Injectable()
export class ErasureJournal {
  constructor(
    private readonly outbox: OutboxService,
    private readonly env: Env,
  ) {}

  /** In the erasure's transaction: the journal gets the entry if and only if the erasure commits. */
  async record(m: EntityManager, erasedAt: Date, erased: string[], anonymised: string[]): Promise<void> {
    if (!erased.length && !anonymised.length) return;
    await this.outbox.enqueue(m, 'subjects.journal-erasures', { erasedAt: erasedAt.toISOString(), erased, anonymised });
  }

  /** Job `subjects.journal-erasures`: one append and fsync per erasure batch, one file per UTC day. */
  @JobHandler('subjects.journal-erasures')
  async append(job: JobPayloads['subjects.journal-erasures']): Promise<{ appended: number }> {
    const entry = (subjectId: string, kind: JournalEntry['kind']): string =>
      JSON.stringify({ v: 1, subjectId, erasedAt: job.erasedAt, kind } satisfies JournalEntry);
    const lines = [
      ...job.erased.map((id) => entry(id, 'erased')),
      ...job.anonymised.map((id) => entry(id, 'anonymised')),
    ];
    const dir = this.env.ERASURE_JOURNAL_DIR;
    await mkdir(dir, { recursive: true });
    const path = join(dir, `erasures-${job.erasedAt.slice(0, 10)}.ndjson`);
    const created = await access(path).then(
      () => false,
      () => true,
    );
    // One write() of whole lines with O_APPEND: concurrent workers never interleave inside a line.
    const file = await open(path, 'a');
    try {
      const data = Buffer.from(`${lines.join('\n')}\n`);
      const { bytesWritten } = await file.write(data);
      if (bytesWritten !== data.length) throw new Error('erasure journal: short write (the job retries it whole)');
      await file.sync();
    } finally {
      await file.close();
    }
    if (created) await syncDirectory(dir);
    return { appended: lines.length };
  }

  /** Every entry in the journal's files, oldest file first, with the count of lines that are not entries. */
  async read(
    dir = this.env.ERASURE_JOURNAL_DIR,
  ): Promise<{ files: number; entries: JournalEntry[]; unreadable: number }> {
    const names = (await readdir(dir)).filter((n) => FILE.test(n)).sort();
    const entries: JournalEntry[] = [];
    let unreadable = 0;
    for (const name of names) {
      for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
        if (!line) continue;
        const e = parseEntry(line);
        if (e) entries.push(e);
        else unreadable += 1;
      }
    }
    return { files: names.length, entries, unreadable };
  }
}

function parseEntry(line: string): JournalEntry | null {
  try {
    const e = JSON.parse(line) as Partial<JournalEntry>;
    const ok =
      e.v === 1 &&
      typeof e.subjectId === 'string' &&
      isUuid(e.subjectId) &&
      typeof e.erasedAt === 'string' &&
      !Number.isNaN(Date.parse(e.erasedAt)) &&
      (e.kind === 'erased' || e.kind === 'anonymised');
    return ok ? (e as JournalEntry) : null;
  } catch {
    // A torn line (crash mid-append); counted by the caller, its batch was written again whole by the retry.
    return null;
  }
}
