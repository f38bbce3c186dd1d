import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemError } from '../common/problem/problem.error';
import { BreachAuthorityNotification, NotificationPhase } from './breach-authority-notification.entity';
import { CLOCK_SKEW_MS } from './breach-changes';
import { isLateNotification, notifyAuthorityBy } from './breach-deadline';
import { Breach, BreachStatus } from './breach.entity';
import { BreachesRepository } from './breaches.repository';
import { BreachesService } from './breaches.service';

export interface NotificationInput {
  sentAt: Date;
  phase: NotificationPhase;
  reference?: string;
  delayReasons?: string;
}

/** The notification to the supervisory authority (UODO), Art. 33, possibly in phases (Art. 33(4)). */
@Injectable()
export class AuthorityNotificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: BreachesRepository,
    private readonly breaches: BreachesService,
  ) {}

  async record(
    breachId: string,
    input: NotificationInput,
  ): Promise<{ breach: Breach; notification: BreachAuthorityNotification }> {
    return this.dataSource.transaction(async (m) => {
      const breach = await this.breaches.lock(m, breachId);
      if (breach.status === BreachStatus.Closed) {
        throw new ProblemError('invalid_transition', 'The incident is closed.');
      }
      this.assertSentAt(breach, input.sentAt);
      const previous = await this.repo.listNotifications(breachId, m);
      if (!previous.length && input.phase === NotificationPhase.Supplementary) {
        throw new ProblemError('invalid_transition', 'The first notification is the initial (or the final) one.');
      }
      if (previous.some((n) => n.phase === NotificationPhase.Final)) {
        throw new ProblemError('invalid_transition', 'The final notification has already been recorded.');
      }
      const last = previous[previous.length - 1];
      if (last && input.sentAt < last.sentAt) {
        throw new ProblemError('validation_failed', 'The request is not valid.', {
          errors: [{ field: 'sentAt', message: 'sentAt must not be before the previous notification' }],
        });
      }
      const first = previous.length === 0;
      const late = isLateNotification(breach.awareAt, input.sentAt);
      // Art. 33(1): "where the notification ... is not made within 72 hours, it shall be accompanied by reasons
      // for the delay". Later phases (Art. 33(4)) follow "without undue further delay" and need none.
      if (first && late && !input.delayReasons?.trim()) {
        throw new ProblemError(
          'late_notification_reason_required',
          'The notification is later than 72 hours after awareness: give delayReasons (Art. 33(1)).',
          { notifyAuthorityBy: notifyAuthorityBy(breach.awareAt).toISOString() },
        );
      }
      const notification = await this.repo.insertNotification(m, {
        breachId,
        phase: input.phase,
        sentAt: input.sentAt,
        reference: input.reference ?? null,
        delayReasons: input.delayReasons ?? null,
        late: first && late,
      });
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (first) {
        changes.authorityNotifiedAt = { from: null, to: input.sentAt.toISOString() };
        changes.status = { from: breach.status, to: BreachStatus.Notified };
        breach.authorityNotifiedAt = input.sentAt;
        breach.status = BreachStatus.Notified;
        await this.repo.update(m, breachId, { authorityNotifiedAt: input.sentAt, status: BreachStatus.Notified });
      }
      await this.breaches.record(
        m,
        breachId,
        'authority_notified',
        {
          notificationId: notification.id,
          phase: input.phase,
          sentAt: input.sentAt.toISOString(),
          reference: input.reference ?? null,
          delayReasons: input.delayReasons ?? null,
          late: notification.late,
          ...changes,
        },
        'breach.authority_notified',
        { notificationId: notification.id, phase: input.phase, late: notification.late, fields: Object.keys(changes) },
      );
      return { breach, notification };
    });
  }

  async list(breachId: string): Promise<BreachAuthorityNotification[]> {
    await this.breaches.get(breachId);
    return this.repo.listNotifications(breachId);
  }

  private assertSentAt(breach: Breach, sentAt: Date): void {
    const problems: { field: string; message: string }[] = [];
    if (sentAt.getTime() > Date.now() + CLOCK_SKEW_MS)
      problems.push({ field: 'sentAt', message: 'sentAt must not be in the future' });
    if (sentAt < breach.awareAt) problems.push({ field: 'sentAt', message: 'sentAt must not be before awareAt' });
    if (problems.length) throw new ProblemError('validation_failed', 'The request is not valid.', { errors: problems });
  }
}
