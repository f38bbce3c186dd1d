import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConsentQueryService } from '../consent';
import { SubjectRightsService } from '../subjects';
import { OPEN_REQUEST_CHECK, OpenRequestCheck } from './open-request-check';
import { BatchFacts, SweepSubject } from './retention-plan';
import { RetentionRunsRepository } from './retention-runs.repository';
import { PolicySnapshot } from './retention.types';

/**
 * Everything the rules need about a batch of subjects, from the modules that own it, in a constant
 * number of queries whatever the batch size.
 */
@Injectable()
export class RetentionFactsService {
  constructor(
    private readonly subjects: SubjectRightsService,
    private readonly consents: ConsentQueryService,
    private readonly runs: RetentionRunsRepository,
    @Inject(OPEN_REQUEST_CHECK) private readonly requests: OpenRequestCheck,
  ) {}

  /** With `m`, holds are read in that transaction (after the subjects were locked there). */
  async load(subjects: SweepSubject[], policies: PolicySnapshot[], asOf: Date, m?: EntityManager): Promise<BatchFacts> {
    const ids = subjects.map((s) => s.id);
    if (!ids.length) {
      return {
        held: new Set(),
        openRequests: new Set(),
        consents: new Map(),
        requestCompletedAt: new Map(),
        entries: new Map(),
        reviewsRaised: new Set(),
      };
    }
    const reviewPolicies = policies.filter((p) => p.action === 'review').map((p) => p.key);
    const [held, openRequests, consents, requestCompletedAt, reviewsRaised, entries] = await Promise.all([
      this.subjects.activeHoldIds(ids, m),
      this.requests.openRequestSubjectIds(ids),
      this.consents.retentionFacts(ids, asOf),
      policies.some((p) => p.trigger === 'request_completed')
        ? this.requests.lastCompletedAt(ids)
        : Promise.resolve(new Map<string, Date>()),
      this.runs.reviewsRaised(ids, reviewPolicies),
      this.subjects.entriesFor(ids),
    ]);
    return { held, openRequests, consents, requestCompletedAt, reviewsRaised, entries };
  }
}
