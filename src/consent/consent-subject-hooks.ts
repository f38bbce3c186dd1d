import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SubjectErasedEvent, SubjectHooks } from '../subjects';
import { ConsentRepository } from './consent.repository';

/** Keeps consent data in step with merges and erasures, inside the subjects module's transaction. */
@Injectable()
export class ConsentSubjectHooks implements OnModuleInit {
  constructor(
    private readonly hooks: SubjectHooks,
    private readonly repo: ConsentRepository,
  ) {}

  onModuleInit(): void {
    this.hooks.onMerged('consent', (m, e) => this.repo.foldStates(m, e.mergedId, e.survivorId));
    this.hooks.onErasedMany('consent', (m, events) => this.erased(m, events));
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
  }
}
