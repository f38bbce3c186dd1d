import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CryptoService } from '../common/crypto/crypto.service';
import { ProblemError } from '../common/problem/problem.error';
import { identifierColumn, SubjectCipher } from './subject-cipher';
import { SubjectHooks } from './subject-hooks';
import { SubjectsRepository } from './subjects.repository';

/**
 * Crypto-shredding (LEGAL item 31, Art. 17). The subject's data key and every blind index are deleted, so
 * each ciphertext left anywhere (this database, a replica, a backup) is unreadable; before that, each
 * identifier's suppression hash is kept so an erased e-mail re-imported later is still never contacted.
 */
@Injectable()
export class SubjectErasure {
  constructor(
    private readonly repo: SubjectsRepository,
    private readonly cipher: SubjectCipher,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly hooks: SubjectHooks,
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
    // Retention's anonymise passes false: the data goes, but the person did not object to anything.
    const suppress = options.suppress ?? true;
    const first = await this.repo.lockSubject(m, subjectId);
    if (!first) throw new ProblemError('unknown_subject', 'No subject with this id.');
    const subject = first.mergedInto ? await this.repo.lockSubject(m, first.mergedInto) : first;
    if (!subject) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (subject.status === 'erased') return;
    if (await this.repo.hasActiveHold(subject.id, m)) {
      throw new ProblemError('subject_on_hold', 'A legal hold is active on this subject; it cannot be erased.');
    }

    const id = subject.id;
    const identifiers = await this.repo.identifiersOf(id, m);
    const key = await this.repo.findKey(id, m);
    // A key that cannot be unwrapped (its master version missing from the keyring) throws here: without
    // the plaintext no suppression hash can be computed, and erasing anyway would let a re-imported
    // e-mail be contacted again. Refusing until the keyring is fixed is the safer failure.
    const suppressions =
      key && suppress
        ? this.cipher.with(id, key.wrappedKey, key.keyVersion, (k) =>
            identifiers.map((i) => ({
              kind: i.kind,
              hash: this.crypto.suppressionHash(i.kind, k.decrypt(identifierColumn(i.id), i.valueEnc)),
            })),
          )
        : [];
    const suppressed = await this.repo.addSuppressions(m, suppressions);

    await this.repo.deleteIdentifiers(
      m,
      identifiers.map((i) => i.id),
    );
    await this.repo.deleteKey(m, id);
    await this.repo.clearHoldReasons(m, id);
    await this.repo.updateSubject(m, id, {
      status: 'erased',
      erasedAt: new Date(),
      firstNameEnc: null,
      lastNameEnc: null,
      birthDateEnc: null,
      localeEnc: null,
      minorUntil: null,
      restrictionReason: null,
      restrictedAt: null,
    });
    const followed = await this.hooks.runErased(m, { subjectId: id, reason });
    await this.audit.append(m, {
      action: suppress ? 'subject.erased' : 'subject.anonymised',
      targetType: 'subject',
      targetId: id,
      subjectId: id,
      reason,
      data: { identifiers: identifiers.length, suppressed, followedBy: followed },
    });
  }
}
