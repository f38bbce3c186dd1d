import { Injectable } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { SubjectLookupService } from '../subjects';
import { ConsentLinksService, UnsubscribeClaims } from './consent-links.service';
import { ConsentQueryService } from './consent-query.service';
import { withdrawalDraft } from './consent-draft';
import { ConsentWriter } from './consent-writer.service';
import { ConsentDecision, EventReason, SourceMethod } from './consent.types';
import { ConsentRepository } from './consent.repository';
import { Purpose } from './purpose.entity';
import { PurposesRepository } from './purposes.repository';
import type { PreferencesResponse } from './consent-api.responses';

export type UnsubscribeOutcome = 'withdrawn' | 'already_withdrawn';

/** What a person can do from a link, without an account or an API key. */
@Injectable()
export class PublicConsentService {
  constructor(
    private readonly links: ConsentLinksService,
    private readonly purposes: PurposesRepository,
    private readonly repo: ConsentRepository,
    private readonly writer: ConsentWriter,
    private readonly query: ConsentQueryService,
    private readonly subjects: SubjectLookupService,
  ) {}

  async describeUnsubscribe(token: string): Promise<{ claims: UnsubscribeClaims; purpose: Purpose }> {
    const claims = this.links.readUnsubscribe(token);
    const purpose = await this.purposes.findByKey(claims.purposeKey);
    if (!purpose) throw new ProblemError('invalid_token', 'This link is not valid.');
    return { claims, purpose };
  }

  /**
   * Art. 7(3) and 21(3): one POST withdraws exactly the purpose and channel the link was minted for. A
   * second POST (a mail client retrying, a scanner) changes nothing.
   */
  async unsubscribe(
    token: string,
    // The evidence says where the person withdrew: a link in a message, or the preference centre page.
    via: 'one-click-unsubscribe' | 'preference-centre' = 'one-click-unsubscribe',
  ): Promise<{ outcome: UnsubscribeOutcome; purpose: Purpose; channel: string }> {
    const { claims, purpose } = await this.describeUnsubscribe(token);
    const { channel } = claims;
    // A link mailed before two records were merged names the merged id; the consent now lives on the survivor.
    const subjectId = (await this.subjects.resolveId(claims.subjectId)) ?? claims.subjectId;
    const state = await this.repo.currentState(subjectId, purpose.key, channel);
    if (!state || state.status !== ConsentDecision.Granted) return { outcome: 'already_withdrawn', purpose, channel };
    const written = await this.writer.write(
      withdrawalDraft(
        subjectId,
        purpose,
        { ...state, channel },
        {
          reason: EventReason.UnsubscribeLink,
          sourceMethod: via === 'preference-centre' ? SourceMethod.Web : SourceMethod.Email,
          sourceLocation: via,
        },
      ),
      {
        precondition: (s) => s?.status === ConsentDecision.Granted,
        actor: { type: 'subject_token', id: subjectId },
      },
    );
    return { outcome: written ? 'withdrawn' : 'already_withdrawn', purpose, channel };
  }

  /** A read-only view for a preference centre, with a one-click withdrawal token per current grant. */
  async preferences(token: string): Promise<PreferencesResponse> {
    const given = this.links.readPreferences(token);
    const subjectId = (await this.subjects.resolveId(given)) ?? given;
    const names = new Map((await this.purposes.listAll()).map((p) => [p.key, p.name]));
    const items = (await this.query.states(subjectId)).map((s) => ({
      ...s,
      purposeName: names.get(s.purpose) ?? s.purpose,
      ...(s.status === 'granted' || s.status === 'pending'
        ? { unsubscribeToken: this.links.unsubscribeToken({ subjectId, purposeKey: s.purpose, channel: s.channel }) }
        : {}),
    }));
    return { subjectId, items };
  }
}
