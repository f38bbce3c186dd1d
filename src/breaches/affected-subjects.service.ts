import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { Env } from '../config/env';
import { ProblemError } from '../common/problem/problem.error';
import { JobHandler } from '../jobs';
import type { JobPayloads } from '../jobs';
import { NotificationsService } from '../notifications';
import { OutboxService } from '../outbox';
import { SubjectLookupService } from '../subjects';
import { AffectedSubjectSelector } from './affected-subject.selector';
import { AffectedCounts, AffectedSubjectsRepository } from './affected-subjects.repository';
import { Breach, RiskAssessment } from './breach.entity';
import { BreachesService } from './breaches.service';

export interface SelectInput {
  systems?: string[];
  dataCategories?: string[];
  from?: Date;
  to?: Date;
  /** Count and sample only; nothing is recorded. */
  dryRun?: boolean;
  /** Required to record a selection: the people selected are the ones Art. 34 notices go to. */
  confirm?: boolean;
}

const SAMPLE = 20;

// One transaction per batch: a failure halfway keeps the notices already queued, and a retry skips them.
const NOTICE_BATCH = 100;

/** Art. 34: who was affected, and telling them when the breach is likely to result in a high risk. */
@Injectable()
export class AffectedSubjectsService {
  private readonly logger = new Logger(AffectedSubjectsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly breaches: BreachesService,
    private readonly repo: AffectedSubjectsRepository,
    private readonly selector: AffectedSubjectSelector,
    private readonly subjects: SubjectLookupService,
    private readonly notifications: NotificationsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  async select(breachId: string, input: SelectInput) {
    const breach = await this.breaches.get(breachId);
    const from = input.from ?? breach.occurredAt ?? breach.awareAt;
    const to = input.to ?? breach.containedAt ?? new Date();
    if (from > to) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'from', message: 'from must not be after to' }],
      });
    }
    const criteria = {
      systems: input.systems ?? breach.systems,
      dataCategories: input.dataCategories ?? breach.dataCategories,
      from,
      to,
    };
    // No system and no data category named: that is "everyone who exists", which is never a finding about a
    // breach. The DPO must say what was breached before anyone is told (Art. 34).
    if (!criteria.systems.length && !criteria.dataCategories.length) {
      throw new ProblemError(
        'selection_too_broad',
        'Name the systems or the data categories breached (here or on the incident); nothing narrows the selection.',
      );
    }
    if (!input.dryRun && input.confirm !== true) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'confirm', message: 'confirm must be true to record a selection; preview it with dryRun' }],
      });
    }
    const selection = await this.selector.select(criteria);
    const basis = {
      matchedSystems: selection.systems,
      linkedSystems: selection.linked,
      assumedAllSystems: selection.assumedAll,
      from: from.toISOString(),
      to: to.toISOString(),
    };
    if (input.dryRun) {
      let count = 0;
      const sample: string[] = [];
      for await (const ids of selection.batches) {
        count += ids.length;
        sample.push(...ids.slice(0, SAMPLE - sample.length));
      }
      return { dryRun: true, count, sample, ...basis };
    }
    const { added, counts } = await this.dataSource.transaction(async (m) => {
      await this.breaches.lock(m, breachId);
      let n = 0;
      for await (const ids of selection.batches) n += await this.repo.add(m, breachId, ids);
      const data = {
        criteria: { ...criteria, from: from.toISOString(), to: to.toISOString() },
        matchedSystems: selection.systems,
        linkedSystems: selection.linked,
        assumedAllSystems: selection.assumedAll,
        added: n,
      };
      await this.breaches.record(m, breachId, 'subjects_selected', data, 'breach.subjects_selected', {
        matchedSystems: selection.systems,
        added: n,
      });
      return { added: n, counts: await this.repo.counts(breachId, m) };
    });
    return { dryRun: false, selected: added, total: counts.total, ...basis };
  }

  async counts(breachId: string): Promise<AffectedCounts> {
    await this.breaches.get(breachId);
    return this.repo.counts(breachId);
  }

  /** Queues the notices; the worker sends them in batches. Asking twice is harmless: a noticed subject is skipped. */
  async requestNotices(breachId: string): Promise<AffectedCounts> {
    return this.dataSource.transaction(async (m) => {
      const breach = await this.breaches.lock(m, breachId);
      if (breach.riskAssessment !== RiskAssessment.HighRisk) {
        // Art. 34(1): the communication to the subjects is owed when the risk is high.
        throw new ProblemError('invalid_transition', 'Subjects are notified of a breach assessed as high_risk only.');
      }
      const counts = await this.repo.counts(breachId, m);
      const data = { pending: counts.pending };
      await this.breaches.record(
        m,
        breachId,
        'subject_notices_requested',
        data,
        'breach.subject_notices_requested',
        data,
      );
      // The incident's id leads the job id so a queued or failed job is traceable to its breach.
      if (counts.pending) {
        await this.outbox.enqueue(
          m,
          'notifications.breach-notices',
          { breachId },
          { jobId: `${breachId}:${randomUUID()}` },
        );
      }
      return counts;
    });
  }

  /** At least once: every batch claims only subjects not yet noticed, so a re-run sends nothing twice. */
  @JobHandler('notifications.breach-notices')
  async sendNotices({
    breachId,
  }: JobPayloads['notifications.breach-notices']): Promise<{ queued: number; withoutEmail: number }> {
    const breach = await this.breaches.get(breachId);
    const total = { queued: 0, withoutEmail: 0 };
    for (;;) {
      const batch = await this.dataSource.transaction(async (m) => {
        const ids = await this.repo.claimPending(m, breachId, NOTICE_BATCH);
        let queued = 0;
        for (const subjectId of ids) {
          const emailId = await this.noticeOne(m, breach, subjectId);
          await this.repo.markNotified(m, breachId, subjectId, emailId);
          if (emailId) queued++;
        }
        if (ids.length) {
          await this.audit.append(m, {
            action: 'breach.subject_notices_queued',
            targetType: 'breach',
            targetId: breachId,
            data: { queued, withoutEmail: ids.length - queued },
          });
        }
        return { size: ids.length, queued };
      });
      total.queued += batch.queued;
      total.withoutEmail += batch.size - batch.queued;
      if (batch.size < NOTICE_BATCH) break;
    }
    this.logger.log({ breachId, ...total }, 'breach notices queued');
    return total;
  }

  private async noticeOne(m: EntityManager, breach: Breach, subjectId: string): Promise<string | null> {
    const contact = await this.subjects.getContact(subjectId).catch((e: unknown) => {
      // An erased or unknown subject has no one left to write to.
      if (e instanceof ProblemError) return null;
      throw e;
    });
    if (!contact?.email) return null;
    const locale = contact.locale === 'en' ? 'en' : 'pl';
    return this.notifications.queueEmail(m, {
      subjectId,
      template: 'breach-notice',
      locale,
      model: this.noticeModel(breach),
    });
  }

  /** Art. 34(2): the nature of the breach in plain language, and Art. 33(3)(b)-(d). The mailer adds the controller's name. */
  private noticeModel(b: Breach): Record<string, unknown> {
    return {
      dpo: { name: this.env.DPO_NAME, email: this.env.DPO_EMAIL },
      breach: {
        description: b.description,
        likelyConsequences: b.likelyConsequences,
        measuresTaken: b.measuresTaken,
        measuresProposed: b.measuresProposed,
      },
    };
  }
}
