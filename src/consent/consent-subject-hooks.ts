import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SubjectErasedEvent, SubjectHooks } from '../subjects';
import { ChangeFeedRepository } from './change-feed.repository';
import { withdrawalDraft } from './consent-draft';
import { ConsentWriter } from './consent-writer.service';
import { ConsentRepository } from './consent.repository';
import { ConsentDecision, EventReason, SourceMethod } from './consent.types';
import { PurposesRepository } from './purposes.repository';
import { DecisionRowsService } from './decision-rows.service';

/** Keeps consent data in step with merges and erasures, inside the subjects module's transaction. */
@Injectable()
export class ConsentSubjectHooks implements OnModuleInit {
  constructor(
    private readonly hooks: SubjectHooks,
    private readonly repo: ConsentRepository,
    private readonly writer: ConsentWriter,
    private readonly purposes: PurposesRepository,
    private readonly changes: ChangeFeedRepository,
    private readonly decisions: DecisionRowsService,
  ) {}

  onModuleInit(): void {
    this.hooks.onMerged('consent', async (m, e) => {
      await this.repo.foldStates(m, e.mergedId, e.survivorId);
      await this.changes.append(m, [{ type: 'merge', subjectId: e.survivorId }]);
      // The merged-away id's rows go with its states; the survivor's are decided from both.
      await this.decisions.refresh(m, [e.survivorId, e.mergedId]);
    });
    this.hooks.onErasedMany('consent', (m, events) => this.erased(m, events));
    // The kept decisions follow through the withdrawals' writes and the merge's or the objection's own refresh.
    this.hooks.onObjectedToDirectMarketing('consent', (m, e) => this.objected(m, e.subjectId));
    // Issue 14 item 2: the feed follows every change of the subject's that alters a decision; so do its kept
    // decisions (issue 16 item 1).
    this.hooks.onChanged('consent', async (m, e) => {
      await this.changes.append(m, [{ type: e.change, subjectId: e.subjectId, purposes: e.purposes }]);
      await this.decisions.refresh(m, [e.subjectId], e.purposes?.length ? e.purposes : null);
    });
  }

  /**
   * Art. 21(3): an objection to direct marketing ends every marketing grant (pending ones too), each as a
   * `withdrawn` event with reason `objection`. The decision then lets only a grant confirmed after this (double
   * opt-in, the person's own new act) outweigh the objection, for its purpose and channel (issue 13 item 6).
   */
  async objected(m: EntityManager, subjectId: string): Promise<void> {
    const states = await this.repo.statesForSubjectIn(m, subjectId);
    for (const state of states) {
      if (state.status !== ConsentDecision.Granted) continue;
      const purpose = await this.purposes.findByKey(state.purposeKey, m);
      if (!purpose?.marketing) continue;
      await this.writer.writeIn(
        m,
        withdrawalDraft(subjectId, purpose, state, {
          reason: EventReason.Objection,
          sourceMethod: SourceMethod.Api,
          sourceLocation: 'objection',
        }),
        { precondition: (s) => s?.status === ConsentDecision.Granted },
      );
    }
  }

  /**
   * Art. 17: the sealed evidence (IP address, user agent) is personal data and goes. The events stay: ids
   * and text hashes only, kept as proof that processing had a basis (Art. 7(1), 17(3)(e)). One statement
   * for one erasure or a whole retention batch.
   */
  async erased(m: EntityManager, events: SubjectErasedEvent[]): Promise<void> {
    await this.repo.deleteEvidenceForSubjects(
      m,
      events.map((e) => e.subjectId),
    );
    await this.changes.append(
      m,
      events.map((e) => ({ type: 'erasure' as const, subjectId: e.subjectId })),
    );
    await this.decisions.refresh(
      m,
      events.map((e) => e.subjectId),
    );
  }
}
