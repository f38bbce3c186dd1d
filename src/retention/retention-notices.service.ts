import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import { Env } from '../config/env';
import { JobHandler } from '../jobs';
import type { JobPayloads } from '../jobs';
import { OutboxService } from '../outbox';
import type { SystemRecord } from '../systems';
import { SystemsService } from '../systems';
import { statusFailure } from '../common/http/outbound-http';
import { ZGODA_SYSTEM } from './retention-policy-rules';
import { RetentionNoticesRepository } from './retention-notices.repository';
import { RetentionSystemNotice } from './retention-system-notice.entity';
import { NoticeStatus, PolicySnapshot } from './retention.types';

// Calls per notice before it is given up as failed (the queue's own retries space them out).
const MAX_ATTEMPTS = 5;

export interface NoticeSubject {
  id: string;
  identifiers: { kind: string; value: string; system?: string }[];
}

export interface NoticeEntry {
  subjectId: string;
  action: 'erase' | 'anonymise';
  targets: NoticeTarget[];
  subject: NoticeSubject | null;
}

export interface NoticeTarget {
  system: Pick<SystemRecord, 'id' | 'key' | 'kind'>;
  policyKey: string;
}

class NoticeCallError extends Error {
  constructor(
    readonly code: string,
    readonly permanent: boolean,
  ) {
    super(code);
  }
}

const aad = (id: string) => `retention_notice:${id}:subject`;

/**
 * Tells the other data systems that hold a category or purpose when a run destroys Zgoda's record of a
 * subject under a policy for it (Art. 19, as an erasure request does): webhook systems get a signed call
 * (`Idempotency-Key: <noticeId>`), manual systems a listed notice for a person to act on.
 */
@Injectable()
export class RetentionNoticesService {
  private readonly logger = new Logger(RetentionNoticesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly notices: RetentionNoticesRepository,
    private readonly systems: SystemsService,
    private readonly crypto: CryptoService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  /** The active systems other than Zgoda itself, read once per batch. */
  async otherSystems(): Promise<SystemRecord[]> {
    return (await this.systems.listActive()).filter((s) => s.key !== ZGODA_SYSTEM);
  }

  /** One target per system that holds the data of the policies the record goes under (first policy wins). */
  targets(policies: PolicySnapshot[], systems: SystemRecord[]): NoticeTarget[] {
    const out = new Map<string, NoticeTarget>();
    for (const p of policies) {
      for (const s of systems) {
        const holds =
          p.dataCategory !== null ? s.dataCategories.includes(p.dataCategory) : s.purposes.includes(p.purpose!);
        if (holds && !out.has(s.key)) out.set(s.key, { system: s, policyKey: p.key });
      }
    }
    return [...out.values()];
  }

  /**
   * In the transaction that destroys the records: the notices of a batch in one statement, and a job per
   * webhook notice. `subject` carries the identifiers each webhook system is sent, read before Zgoda
   * destroyed them (the requests module snapshots them the same way); null when no webhook is told.
   */
  async recordMany(m: EntityManager, runId: string, entries: NoticeEntry[]): Promise<void> {
    const rows = entries.flatMap((e) =>
      e.targets.map((t) => {
        const id = randomUUID();
        const webhook = t.system.kind === 'webhook';
        return {
          id,
          subjectId: e.subjectId,
          policyKey: t.policyKey,
          action: e.action,
          system: t.system,
          sealed: webhook && e.subject ? this.crypto.seal(JSON.stringify(e.subject), aad(id)) : null,
          status: webhook ? 'pending' : 'manual',
        };
      }),
    );
    if (!rows.length) return;
    const inserted = await this.notices.insertMany(m, runId, rows);
    for (const n of inserted) {
      if (n.status === 'pending') {
        await this.outbox.enqueue(m, 'retention.notify-system', { noticeId: n.id }, { jobId: `notice:${n.id}` });
      }
    }
  }

  /** At least once: a settled notice makes a re-delivery a no-op; the receiver dedupes by Idempotency-Key. */
  @JobHandler('retention.notify-system')
  async deliver({ noticeId }: JobPayloads['retention.notify-system']): Promise<{ outcome: string }> {
    const notice = await this.notices.find(noticeId);
    if (!notice || notice.status !== 'pending') return { outcome: 'settled' };
    try {
      await this.call(notice);
    } catch (e) {
      const error = e instanceof NoticeCallError ? e : new NoticeCallError('error', false);
      const attempts = notice.attempts + 1;
      const final = error.permanent || attempts >= MAX_ATTEMPTS;
      this.logger.warn(
        { noticeId, system: notice.systemKey, attempt: attempts, error: error.code, final },
        'retention notice call failed',
      );
      if (!final) {
        await this.notices.recordAttempt(noticeId, attempts, error.code);
        throw error;
      }
      await this.settle(notice, 'failed', attempts, error.code);
      return { outcome: 'failed' };
    }
    await this.settle(notice, 'sent', notice.attempts + 1, null);
    return { outcome: 'sent' };
  }

  async counts(runIds: string[]): Promise<Map<string, Record<NoticeStatus, number>>> {
    const out = new Map<string, Record<NoticeStatus, number>>();
    if (!runIds.length) return out;
    const rows = await this.notices.countsByRun(runIds);
    for (const id of runIds) out.set(id, { pending: 0, sent: 0, failed: 0, manual: 0 });
    for (const r of rows) out.get(r.run_id)![r.status] = r.n;
    return out;
  }

  list(
    runId: string,
    after: { subjectId: string; systemKey: string } | undefined,
    limit: number,
    status?: NoticeStatus,
  ): Promise<RetentionSystemNotice[]> {
    return this.notices.list(runId, after, limit, status);
  }

  private async call(notice: RetentionSystemNotice): Promise<void> {
    const subject = notice.subjectSealed
      ? (JSON.parse(this.crypto.open(notice.subjectSealed, aad(notice.id))) as NoticeSubject)
      : { id: notice.subjectId, identifiers: [] };
    const body = JSON.stringify({
      noticeId: notice.id,
      event: 'retention',
      action: 'erasure',
      retention: { runId: notice.runId, policy: notice.policyKey, action: notice.action },
      subject,
    });
    const posted = await this.systems.postToWebhook(notice.systemId, body, notice.id);
    if ('failure' in posted) throw new NoticeCallError(posted.failure, posted.permanent);
    const { status } = posted.answer;
    if (status >= 200 && status < 300) return;
    const { failure, permanent } = statusFailure(status);
    throw new NoticeCallError(failure, permanent);
  }

  /** Settled once; the identifiers snapshot goes with it (LEGAL item 21: kept no longer than the work). */
  private async settle(
    notice: RetentionSystemNotice,
    status: 'sent' | 'failed',
    attempts: number,
    error: string | null,
  ) {
    await this.dataSource.transaction(async (m) => {
      if (!(await this.notices.settle(m, notice.id, status, attempts, error))) return;
      await this.audit.append(m, {
        action: 'retention.system_notified',
        targetType: 'retention_run',
        targetId: notice.runId,
        subjectId: notice.subjectId,
        data: { noticeId: notice.id, system: notice.systemKey, status, attempts, ...(error ? { error } : {}) },
      });
    });
  }
}
