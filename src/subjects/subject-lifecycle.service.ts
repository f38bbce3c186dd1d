import { SubjectEntriesRepository } from './subject-entries.repository';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { ErasureOutcome, ErasureTarget, SubjectBatchErasure } from './subject-batch-erasure';
import { isUuid } from './subject-lookup.service';
import { SubjectMerger } from './subject-merge.service';
import { lockLive } from './subject-rights.service';
import { CreateSubjectInput, SubjectWriter, UpdateSubjectInput } from './subject-writer.service';
import { SubjectStatus } from './subject.entity';
import { SubjectsRepository } from './subjects.repository';

export type { CreateSubjectInput, UpdateSubjectInput } from './subject-writer.service';
export type { ErasureOutcome, ErasureTarget, RevealedIdentifier } from './subject-batch-erasure';

/**
 * A subject's life: creation, rectification (Art. 16), merging two records of one person, activity, and
 * crypto-shredding (LEGAL item 31, Art. 17). The subject's data key and every blind index are deleted, so
 * each ciphertext left anywhere (this database, a replica, a backup) is unreadable; before that, each
 * identifier's suppression hash is kept so an erased e-mail re-imported later is still never contacted.
 * Methods with a trailing optional manager run in the caller's transaction when given one, else in their
 * own; ids of merged records are followed to the survivor.
 */
@Injectable()
export class SubjectLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
    private readonly writer: SubjectWriter,
    private readonly merger: SubjectMerger,
    private readonly batch: SubjectBatchErasure,
    private readonly audit: AuditService,
    private readonly entries: SubjectEntriesRepository,
  ) {}

  /** 409 `subject_exists` (extras `subjectId`) when an identifier is taken; 422 for invalid values. */
  create(input: CreateSubjectInput, m?: EntityManager): Promise<{ id: string; createdAt: Date }> {
    if (!m) return this.dataSource.transaction((t) => this.writer.create(t, input));
    return this.writer.create(m, input);
  }

  /** Rectification (Art. 16); returns the survivor's id and the names of the fields that changed. */
  update(id: string, input: UpdateSubjectInput): Promise<{ id: string; changed: string[] }> {
    return this.dataSource.transaction(async (m) => {
      const subject = await lockLive(this.subjects, m, id);
      return { id: subject.id, changed: await this.writer.update(m, subject, input) };
    });
  }

  merge(survivorId: string, mergedId: string): Promise<void> {
    return this.dataSource.transaction((m) => this.merger.merge(m, survivorId, mergedId));
  }

  /**
   * For a consent write, first in its transaction: holds the record against a concurrent merge or erasure
   * until commit and returns the survivor's id as it is now (the caller resolved the id before its
   * transaction; a merge may have committed since). Null when unknown.
   */
  async lockForConsent(m: EntityManager, id: string): Promise<{ id: string; status: SubjectStatus } | null> {
    if (!isUuid(id)) return null;
    let row = await this.subjects.keyShareLock(m, id);
    if (row?.merged_into) row = await this.subjects.keyShareLock(m, row.merged_into);
    return row ? { id: row.id, status: row.status } : null;
  }

  /**
   * Moves last activity forward (never back, never into the future: either would bend retention). An
   * older time than the one recorded changes nothing and is not audited.
   */
  async touchActivity(subjectId: string, at: Date = new Date()): Promise<void> {
    const now = new Date();
    const when = at > now ? now : at;
    await this.dataSource.transaction(async (m) => {
      const subject = await lockLive(this.subjects, m, subjectId);
      if (!(await this.subjects.touchActivity(m, subject.id, when))) return;
      await this.audit.append(m, {
        action: 'subject.activity_recorded',
        targetType: 'subject',
        targetId: subject.id,
        subjectId: subject.id,
      });
    });
  }

  /**
   * Issue 13 item 15: a data system reports the last entry of a kind (a data category such as
   * `eye_exam_records`), or an event (`complaint_settled`, `contract_ended`), so that retention counts from it.
   * Never moves backwards; a date ahead of now is taken as now.
   */
  async recordEntry(subjectId: string, kind: string, system: string | undefined, at: Date = new Date()): Promise<void> {
    const now = new Date();
    const when = at > now ? now : at;
    await this.dataSource.transaction(async (m) => {
      const subject = await lockLive(this.subjects, m, subjectId);
      if (!(await this.entries.recordEntry(m, subject.id, kind, system ?? '', when))) return;
      await this.audit.append(m, {
        action: 'subject.entry_recorded',
        targetType: 'subject',
        targetId: subject.id,
        subjectId: subject.id,
        data: { kind, system: system ?? null, at: when.toISOString() },
      });
    });
  }

  /**
   * Crypto-shreds the subject; refused with 409 `subject_on_hold` under an active hold (Art. 17(3)).
   * Idempotent: erasing an erased subject does nothing (at-least-once jobs call it again). A merged id
   * erases its survivor: it is the same person.
   */
  async erase(subjectId: string, reason: string, m?: EntityManager): Promise<void> {
    if (!isUuid(subjectId)) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (!m) return this.dataSource.transaction((t) => this.shred(t, subjectId, reason));
    return this.shred(m, subjectId, reason);
  }

  /**
   * `erase` of many surviving subjects the caller has judged (a retention batch), in its transaction and
   * a constant number of statements; a target with `suppress: false` is anonymised (see ErasureTarget).
   * Held, gone (erased or merged meanwhile) and failed (key unreadable) subjects are reported, not
   * thrown, so the others go on. `reveal`: ids whose identifiers are returned as they were, for the
   * Art. 19 notices the caller commits with the erasure.
   */
  eraseMany(m: EntityManager, targets: ErasureTarget[], reveal?: ReadonlySet<string>): Promise<ErasureOutcome> {
    return this.batch.erase(
      m,
      targets.filter((t) => isUuid(t.subjectId)),
      reveal,
    );
  }

  /** One subject; the work itself (shared with retention's batches) is SubjectBatchErasure's. */
  private async shred(m: EntityManager, subjectId: string, reason: string): Promise<void> {
    const first = await this.subjects.lockSubject(m, subjectId);
    if (!first) throw new ProblemError('unknown_subject', 'No subject with this id.');
    const subject = first.mergedInto ? await this.subjects.lockSubject(m, first.mergedInto) : first;
    if (!subject) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (subject.status === 'erased') return;
    const outcome = await this.batch.erase(m, [{ subjectId: subject.id, reason, suppress: true }]);
    if (outcome.held.length) {
      throw new ProblemError('subject_on_hold', 'A legal hold is active on this subject; it cannot be erased.');
    }
    // A key that cannot be unwrapped: without the plaintext no suppression hash can be computed, and
    // erasing anyway would let a re-imported e-mail be contacted again. Refused until the keyring is fixed.
    const failure = outcome.failed.get(subject.id);
    if (failure) throw failure;
  }
}
