import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProblemError } from '../common/problem/problem.error';
import { purgeInBatches } from '../common/db/purge-in-batches';
import { Env } from '../config/env';
import { JobHandler } from '../jobs';
import { SubjectLookupService } from '../subjects';
import { ChangeFeedRepository, ChangeRow, NewChange } from './change-feed.repository';
import { ConsentDecisionService } from './consent-decision.service';
import { Channel } from './consent.types';
import { PurposesRepository } from './purposes.repository';

const DAY_MS = 86_400_000;

interface Cursor {
  tx: string;
  seq: string;
  /** When the change it points at happened: an older one than the feed keeps is gone (410). */
  at: number;
}

const START: Cursor = { tx: '0', seq: '0', at: Number.MAX_SAFE_INTEGER };

export const encodeCursor = (c: Cursor) => Buffer.from(`${c.tx}.${c.seq}.${c.at}`, 'utf8').toString('base64url');

function decodeCursor(raw: string): Cursor {
  const m = /^(\d{1,19})\.(\d{1,19})\.(\d{1,15})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) throw new ProblemError('invalid_cursor', 'The cursor is not one this feed gave.');
  return { tx: m[1], seq: m[2], at: Number(m[3]) };
}

/**
 * Issue 14 item 2: one ordered, durable feed of every change that can alter a consent decision. Writers
 * append in their own transaction (`record`); readers page with the cursor of the last change they saw and
 * get, with each change, the subject's decisions now for the purposes and channels it touched, so a mailing
 * tool applies it without calling back.
 */
@Injectable()
export class ChangeFeed {
  private readonly logger = new Logger(ChangeFeed.name);

  constructor(
    private readonly repo: ChangeFeedRepository,
    private readonly decisions: ConsentDecisionService,
    private readonly purposes: PurposesRepository,
    private readonly subjects: SubjectLookupService,
    private readonly env: Env,
  ) {}

  record(m: EntityManager, ...changes: NewChange[]): Promise<void> {
    return this.repo.append(m, changes);
  }

  /** Everyone with a current grant for the purpose: their consent no longer counts (a re-consent requirement). */
  recordReconsent(m: EntityManager, purposeKey: string): Promise<void> {
    return this.repo.appendForGranted(m, 'reconsent_required', purposeKey);
  }

  async page(after: string | undefined, limit: number, types: string[] | null, withContacts: boolean) {
    const cursor = after ? decodeCursor(after) : START;
    if (cursor.at < Date.now() - this.env.CHANGES_RETENTION_DAYS * DAY_MS) {
      throw new ProblemError('cursor_expired', 'The feed no longer holds changes this old; read it from the start.');
    }
    const rows = await this.repo.page(cursor.tx, cursor.seq, types, limit);
    const decisions = await this.decisionsFor(rows);
    // The external id always (the mailing tool's own key for the person); e-mail and phone with subjects:read.
    const ids = await this.subjects.getContacts(
      [...new Set(rows.map((r) => r.subject_id))],
      'addresses',
      withContacts ? ['email', 'phone', 'external_id'] : ['external_id'],
    );
    const changes = rows.map((r) => ({
      cursor: encodeCursor({ tx: r.tx, seq: r.seq, at: r.occurred_at.getTime() }),
      type: r.type,
      occurredAt: r.occurred_at.toISOString(),
      subjectId: r.subject_id,
      ...(ids.get(r.subject_id)?.externalId ? { externalId: ids.get(r.subject_id)!.externalId } : {}),
      ...(withContacts
        ? { email: ids.get(r.subject_id)?.email ?? null, phone: ids.get(r.subject_id)?.phone ?? null }
        : {}),
      decisions: decisions(r),
    }));
    return { changes, next: changes.length ? changes[changes.length - 1].cursor : (after ?? null) };
  }

  /** Each change's subject's decisions now, one batch check per purpose and channel the page touches. */
  private async decisionsFor(rows: ChangeRow[]) {
    const all = await this.purposes.listAll();
    const scope = (r: ChangeRow) =>
      all
        .filter((p) => !r.purposes.length || r.purposes.includes(p.key))
        .flatMap((p) =>
          p.channels
            .filter((c) => !r.channels.length || r.channels.includes(c))
            .map((c) => ({ purpose: p.key, channel: c })),
        );
    const wanted = new Map<string, { purpose: string; channel: Channel; subjects: Set<string> }>();
    for (const r of rows) {
      for (const { purpose, channel } of scope(r)) {
        const k = `${purpose}\u0000${channel}`;
        const entry = wanted.get(k) ?? { purpose, channel, subjects: new Set<string>() };
        entry.subjects.add(r.subject_id);
        wanted.set(k, entry);
      }
    }
    const answers = new Map<string, { allowed: boolean; reason: string }>();
    for (const [k, w] of wanted) {
      const ids = [...w.subjects];
      const { results } = await this.decisions.checkBatch({ purpose: w.purpose, channel: w.channel, subjectIds: ids });
      // Answers come in input order.
      results.forEach((res, i) => answers.set(`${k}\u0000${ids[i]}`, { allowed: res.allowed, reason: res.reason }));
    }
    return (r: ChangeRow) =>
      scope(r).map(({ purpose, channel }) => ({
        purpose,
        channel,
        ...answers.get(`${purpose}\u0000${channel}\u0000${r.subject_id}`)!,
      }));
  }

  /** Job `maintenance.changes-purge`: changes older than CHANGES_RETENTION_DAYS go (a cursor there gets 410). */
  @JobHandler('maintenance.changes-purge')
  async purgeExpired(): Promise<{ deleted: number }> {
    const before = new Date(Date.now() - this.env.CHANGES_RETENTION_DAYS * DAY_MS);
    const deleted = await purgeInBatches((limit) => this.repo.deleteBefore(before, limit));
    if (deleted) this.logger.log({ deleted }, 'changes past the feed retention deleted');
    return { deleted };
  }
}
