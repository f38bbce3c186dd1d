import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProblemError } from '../common/problem/problem.error';
import { ErasureOutcome, ErasureTarget, SubjectBatchErasure } from './subject-batch-erasure';
import { SubjectsRepository } from './subjects.repository';

/**
 * Crypto-shredding (LEGAL item 31, Art. 17). The subject's data key and every blind index are deleted, so
 * each ciphertext left anywhere (this database, a replica, a backup) is unreadable; before that, each
 * identifier's suppression hash is kept so an erased e-mail re-imported later is still never contacted.
 * One subject here; the work itself (shared with retention's batches) is SubjectBatchErasure's.
 */
@Injectable()
export class SubjectErasure {
  constructor(
    private readonly repo: SubjectsRepository,
    private readonly batch: SubjectBatchErasure,
  ) {}

  /**
   * Idempotent: erasing an erased subject does nothing (at-least-once jobs call it again). A merged id
   * erases its survivor: it is the same person. Refused while a legal hold is active (Art. 17(3)).
   */
  async erase(
    m: EntityManager,
    subjectId: string,
    reason: string,
    options: { suppress?: boolean } = {},
  ): Promise<void> {
    const first = await this.repo.lockSubject(m, subjectId);
    if (!first) throw new ProblemError('unknown_subject', 'No subject with this id.');
    const subject = first.mergedInto ? await this.repo.lockSubject(m, first.mergedInto) : first;
    if (!subject) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (subject.status === 'erased') return;
    // Retention's anonymise passes false: the data goes, but the person did not object to anything.
    const outcome = await this.batch.erase(m, [{ subjectId: subject.id, reason, suppress: options.suppress ?? true }]);
    if (outcome.held.length) {
      throw new ProblemError('subject_on_hold', 'A legal hold is active on this subject; it cannot be erased.');
    }
    // A key that cannot be unwrapped: without the plaintext no suppression hash can be computed, and
    // erasing anyway would let a re-imported e-mail be contacted again. Refused until the keyring is fixed.
    const failure = outcome.failed.get(subject.id);
    if (failure) throw failure;
  }

  /**
   * Survivor ids the caller has already judged (a retention batch), erased in one go in its transaction;
   * held, gone and failed subjects are reported, not thrown, so the others go on.
   */
  eraseMany(m: EntityManager, targets: ErasureTarget[], reveal?: ReadonlySet<string>): Promise<ErasureOutcome> {
    return this.batch.erase(m, targets, reveal);
  }
}
