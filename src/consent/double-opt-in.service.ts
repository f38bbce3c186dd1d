import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProblemError } from '../common/problem/problem.error';
import { NotificationsService } from '../notifications';
import type { EmailLocale } from '../rendering';
import { SubjectLookupService } from '../subjects';
import { ConsentEvent } from './consent-event.entity';
import { ConsentLinksService } from './consent-links.service';
import { confirmable } from './consent-rules';
import { ConsentWriter, stateFacts } from './consent-writer.service';
import { ConsentEventKind, SourceMethod } from './consent.types';
import { ConsentRepository } from './consent.repository';
import { Purpose } from './purpose.entity';
import { PurposesRepository } from './purposes.repository';

export type ConfirmOutcome = 'confirmed' | 'already_confirmed' | 'no_longer_pending';

/** Double opt-in: a grant is pending until the person confirms it from the e-mail we send. */
@Injectable()
export class DoubleOptInService {
  constructor(
    private readonly links: ConsentLinksService,
    private readonly repo: ConsentRepository,
    private readonly purposes: PurposesRepository,
    private readonly writer: ConsentWriter,
    private readonly notifications: NotificationsService,
    private readonly subjects: SubjectLookupService,
  ) {}

  /**
   * In the grant's transaction, so a rolled-back grant sends nothing. The link carries the grant's event
   * id only; the address is looked up at send time by the notifications module.
   */
  async requestConfirmation(m: EntityManager, event: ConsentEvent, purpose: Purpose, locale: EmailLocale) {
    const token = this.links.confirmToken(event.id);
    await this.notifications.queueEmail(m, {
      subjectId: event.subjectId,
      template: 'consent-confirmation',
      locale,
      model: { confirmUrl: this.links.url('/public/consents/confirm', token), purposeName: purpose.name },
    });
  }

  async describe(token: string): Promise<{ grant: ConsentEvent; purpose: Purpose }> {
    const grantId = this.links.readConfirm(token);
    const grant = await this.repo.findEvent(grantId);
    if (!grant || grant.decision !== ConsentEventKind.Granted || !grant.pending) {
      throw new ProblemError('invalid_token', 'This link is not valid.');
    }
    const purpose = await this.purposes.findByKey(grant.purposeKey);
    if (!purpose) throw new ProblemError('invalid_token', 'This link is not valid.');
    return { grant, purpose };
  }

  /**
   * `evidence`: where the confirmation came from (IP address, user agent). It is what makes the confirmed grant
   * the person's own act, the one thing that outweighs an earlier objection or suppression (issue 13 item 6);
   * sealed like every consent's evidence, deleted on erasure.
   */
  async confirm(
    token: string,
    evidence: { ip?: string; userAgent?: string } = {},
  ): Promise<{ outcome: ConfirmOutcome; purpose: Purpose }> {
    const { grant, purpose } = await this.describe(token);
    // The grant may have been recorded under a subject id merged since into another.
    const subjectId = (await this.subjects.resolveId(grant.subjectId)) ?? grant.subjectId;
    const written = await this.writer.write(
      {
        subjectId,
        purpose,
        channel: grant.channel,
        decision: ConsentEventKind.Confirmed,
        reason: null,
        version: grant.version,
        locale: grant.locale,
        textSha256: grant.textSha256,
        pending: false,
        confirmsEventId: grant.id,
        expiresAt: grant.expiresAt,
        validityDays: null,
        sourceMethod: SourceMethod.Email,
        sourceLocation: 'confirmation-link',
        sourceStaffId: null,
        expressedBy: grant.expressedBy,
        gpc: false,
        suppressed: grant.suppressed,
        evidence: evidence.ip || evidence.userAgent ? { ...evidence } : null,
      },
      {
        // A withdrawal or a newer decision since the grant makes the link void: confirming must not revive it.
        precondition: (state) => confirmable(state, grant.id),
        actor: { type: 'subject_token', id: subjectId },
      },
    );
    if (written) return { outcome: 'confirmed', purpose };
    const state = stateFacts(await this.repo.currentState(subjectId, grant.purposeKey, grant.channel));
    const already = state?.eventId === grant.id && !state.pending;
    return { outcome: already ? 'already_confirmed' : 'no_longer_pending', purpose };
  }
}
