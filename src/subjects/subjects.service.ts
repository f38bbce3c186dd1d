import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { ProblemError } from '../common/problem/problem.error';
import { ErasureOutcome, ErasureTarget } from './subject-batch-erasure';
import { SubjectErasure } from './subject-erasure.service';
import { DecisionFacts, IdentifierKeys, isUuid, SubjectLookup } from './subject-lookup.service';
import { SubjectMerger } from './subject-merge.service';
import {
  DecryptedHold,
  SubjectAddresses,
  SubjectContact,
  SubjectProfile,
  SubjectReader,
} from './subject-reader.service';
import { SubjectRights } from './subject-rights.service';
import { CreateSubjectInput, SubjectWriter, UpdateSubjectInput } from './subject-writer.service';
import { SubjectStatus } from './subject.entity';
import { RetentionSubjectRow, SubjectsRepository } from './subjects.repository';

export type { DecisionFacts, IdentifierKeys } from './subject-lookup.service';
export type { DecryptedHold, SubjectAddresses, SubjectContact, SubjectProfile } from './subject-reader.service';
export type { CreateSubjectInput, UpdateSubjectInput } from './subject-writer.service';
export type { RetentionSubjectRow } from './subjects.repository';
export type { ErasureOutcome, ErasureTarget, RevealedIdentifier } from './subject-batch-erasure';

/**
 * The subjects module's public face: other modules (consent, requests, notifications, retention,
 * breaches) use only this. Methods that take a manager run in the caller's transaction; the others
 * open their own. Ids of merged records are followed to the survivor everywhere.
 */
@Injectable()
export class SubjectsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: SubjectsRepository,
    private readonly lookup: SubjectLookup,
    private readonly reader: SubjectReader,
    private readonly writer: SubjectWriter,
    private readonly rights: SubjectRights,
    private readonly merger: SubjectMerger,
    private readonly erasure: SubjectErasure,
    private readonly audit: AuditService,
  ) {}

  /** 409 `subject_exists` (extras `subjectId`) when an identifier is taken; 422 for invalid values. */
  create(manager: EntityManager, input: CreateSubjectInput): Promise<{ id: string; createdAt: Date }> {
    return this.writer.create(manager, input);
  }

  /** `create` in a transaction of its own (the HTTP API). */
  createSubject(input: CreateSubjectInput): Promise<{ id: string; createdAt: Date }> {
    return this.dataSource.transaction((m) => this.create(m, input));
  }

  /** Rectification (Art. 16); returns the survivor's id and the names of the fields that changed. */
  update(id: string, input: UpdateSubjectInput): Promise<{ id: string; changed: string[] }> {
    return this.dataSource.transaction(async (m) => {
      const subject = await this.rights.lockLive(m, id);
      return { id: subject.id, changed: await this.writer.update(m, subject, input) };
    });
  }

  findIdByIdentifier(kind: IdentifierKind, raw: string): Promise<string | null> {
    return this.lookup.findId(kind, raw);
  }

  /** Every subject with this identifier (external ids may repeat across systems). */
  findIdsByIdentifier(kind: IdentifierKind, raw: string, system?: string): Promise<string[]> {
    return this.lookup.findAll(kind, raw, system);
  }

  /** Keyed by the raw input; unknown, invalid and cross-system ambiguous values are absent. One query. */
  findIdsByIdentifiers(kind: IdentifierKind, raws: string[]): Promise<Map<string, string>> {
    return this.lookup.findIds(kind, raws);
  }

  /** Normalised values of a batch by raw input, invalid ones left out: hash them once for both uses below. */
  normaliseIdentifiers(kind: IdentifierKind, raws: Iterable<string>): Map<string, string> {
    return this.lookup.normaliseAll(kind, raws);
  }

  /** Blind indexes of normalised values (from `normaliseIdentifiers`), in order, for a caller's own query. */
  blindIndexes(kind: IdentifierKind, values: string[]): Buffer[] {
    return this.lookup.blindIndexes(kind, values);
  }

  /** Of these normalised values, those on the suppression list; one query. */
  suppressedValues(kind: IdentifierKind, values: string[]): Promise<Set<string>> {
    return this.lookup.suppressedValues(kind, values);
  }

  /** Blind index and suppression hash of one identifier (null when invalid), for a caller's own query. */
  identifierKeys(kind: IdentifierKind, raw: string): IdentifierKeys | null {
    return this.lookup.identifierKeys(kind, raw);
  }

  /**
   * For a consent write, first in its transaction: holds the record against a concurrent merge or erasure
   * until commit and returns the survivor's id as it is now (the caller resolved the id before its
   * transaction; a merge may have committed since). Null when unknown.
   */
  async lockForConsent(m: EntityManager, id: string): Promise<{ id: string; status: SubjectStatus } | null> {
    if (!isUuid(id)) return null;
    let row = await this.repo.keyShareLock(m, id);
    if (row?.merged_into) row = await this.repo.keyShareLock(m, row.merged_into);
    return row ? { id: row.id, status: row.status } : null;
  }

  resolveId(id: string): Promise<string | null> {
    return this.lookup.resolve(id);
  }

  /**
   * The survivor's id followed by the ids merged into it: for reading history that is append-only and so
   * stays under the id it was written with (consent events, the audit log).
   */
  async aliasesOf(subjectId: string): Promise<string[]> {
    const id = await this.resolveId(subjectId);
    return id ? [id, ...(await this.repo.mergedInto(id))] : [];
  }

  /** One query; keyed by the ids given, a merged id answering with its survivor's facts. */
  getDecisionFacts(ids: string[]): Promise<Map<string, DecisionFacts>> {
    return this.lookup.decisionFacts(ids);
  }

  isSuppressed(kind: IdentifierKind, raw: string): Promise<boolean> {
    return this.lookup.isSuppressed(kind, raw);
  }

  suppressedSet(kind: IdentifierKind, raws: string[]): Promise<Set<string>> {
    return this.lookup.suppressedSet(kind, raws);
  }

  setObjection(manager: EntityManager, subjectId: string, purposes: string[] | 'direct_marketing'): Promise<void> {
    return this.rights.setObjection(manager, subjectId, purposes);
  }

  restrict(manager: EntityManager, subjectId: string, reason: string): Promise<void> {
    return this.rights.restrict(manager, subjectId, reason);
  }

  liftRestriction(manager: EntityManager, subjectId: string): Promise<void> {
    return this.rights.liftRestriction(manager, subjectId);
  }

  restrictSubject(subjectId: string, reason: string): Promise<void> {
    return this.dataSource.transaction((m) => this.restrict(m, subjectId, reason));
  }

  liftSubjectRestriction(subjectId: string): Promise<void> {
    return this.dataSource.transaction((m) => this.liftRestriction(m, subjectId));
  }

  /** Null when unknown or erased. Also serves notifications as its CONTACT_RESOLVER. */
  async getContact(subjectId: string): Promise<SubjectContact | null> {
    const id = await this.resolveId(subjectId);
    return id ? this.reader.contact(id) : null;
  }

  /**
   * `getContact` for many ids in a constant number of queries, keyed by the ids given (a merged id answers
   * with its survivor's contact); unknown and erased subjects are absent.
   */
  getContacts(subjectIds: string[]): Promise<Map<string, SubjectContact>>;
  /** E-mail and phone only, nothing else decrypted (the audience stream). */
  getContacts(subjectIds: string[], only: 'addresses'): Promise<Map<string, SubjectAddresses>>;
  getContacts(subjectIds: string[], only?: 'addresses'): Promise<Map<string, SubjectContact | SubjectAddresses>> {
    const ids = [...new Set(subjectIds.filter(isUuid))];
    return only === 'addresses' ? this.reader.contacts(ids, only) : this.reader.contacts(ids);
  }

  /** Everything held in Zgoda's own tables, decrypted: the subjects part of an access package. */
  getProfile(subjectId: string): Promise<SubjectProfile | null> {
    return isUuid(subjectId) ? this.reader.profile(subjectId) : Promise.resolve(null);
  }

  /**
   * Profiles of every subject with this identifier (optionally within one system), at most `limit`;
   * one statement: the lookup and the profiles together. Invalid input finds nobody.
   */
  async findProfilesByIdentifier(
    kind: IdentifierKind,
    raw: string,
    system: string | undefined,
    limit: number,
  ): Promise<SubjectProfile[]> {
    const index = this.lookup.blindIndexOf(kind, raw);
    return index ? this.reader.profilesByIndex(kind, index, system ?? null, limit) : [];
  }

  /** Crypto-shreds the subject; idempotent; refused with 409 `subject_on_hold` under an active hold. */
  erase(manager: EntityManager, subjectId: string, reason: string): Promise<void> {
    if (!isUuid(subjectId)) throw new ProblemError('unknown_subject', 'No subject with this id.');
    return this.erasure.erase(manager, subjectId, reason);
  }

  /**
   * Retention's `anonymise`: destroys every personal field exactly as `erase` does (data key, identifiers,
   * names, birth date, sealed evidence, hold reasons) and keeps the record as an anonymous unit (id,
   * dates, id-only consent history), but adds no suppression hash: data that merely outlived its period
   * is not an objection, and a customer who comes back later is a new one.
   */
  anonymise(manager: EntityManager, subjectId: string, reason: string): Promise<void> {
    if (!isUuid(subjectId)) throw new ProblemError('unknown_subject', 'No subject with this id.');
    return this.erasure.erase(manager, subjectId, reason, { suppress: false });
  }

  /**
   * `erase`/`anonymise` (per target's `suppress`) of many surviving subjects the caller has judged (a
   * retention batch), in its transaction and a constant number of statements. Held, gone (erased or
   * merged meanwhile) and failed (key unreadable) subjects are reported, not thrown. `reveal`: ids whose
   * identifiers are returned as they were, for the Art. 19 notices the caller commits with the erasure.
   */
  eraseMany(manager: EntityManager, targets: ErasureTarget[], reveal?: ReadonlySet<string>): Promise<ErasureOutcome> {
    return this.erasure.eraseMany(
      manager,
      targets.filter((t) => isUuid(t.subjectId)),
      reveal,
    );
  }

  eraseSubject(subjectId: string, reason: string): Promise<void> {
    return this.dataSource.transaction((m) => this.erase(m, subjectId, reason));
  }

  merge(survivorId: string, mergedId: string): Promise<void> {
    return this.dataSource.transaction((m) => this.merger.merge(m, survivorId, mergedId));
  }

  /**
   * Moves last activity forward (never back, never into the future: either would bend retention). An
   * older time than the one recorded changes nothing and is not audited.
   */
  async touchActivity(subjectId: string, at: Date = new Date()): Promise<void> {
    const now = new Date();
    const when = at > now ? now : at;
    await this.dataSource.transaction(async (m) => {
      const subject = await this.rights.lockLive(m, subjectId);
      if (!(await this.repo.touchActivity(m, subject.id, when))) return;
      await this.audit.append(m, {
        action: 'subject.activity_recorded',
        targetType: 'subject',
        targetId: subject.id,
        subjectId: subject.id,
      });
    });
  }

  async hasActiveHold(subjectId: string): Promise<boolean> {
    const id = await this.resolveId(subjectId);
    return id ? this.repo.hasActiveHold(id) : false;
  }

  async listHolds(subjectId: string): Promise<DecryptedHold[]> {
    const id = await this.resolveId(subjectId);
    return id ? this.reader.holds(id) : [];
  }

  addHold(subjectId: string, input: { reason: string; endsAt?: Date | null }): Promise<string> {
    return this.dataSource.transaction((m) => this.rights.addHold(m, subjectId, input));
  }

  releaseHold(subjectId: string, holdId: string): Promise<void> {
    return this.dataSource.transaction((m) => this.rights.releaseHold(m, subjectId, holdId));
  }

  /** Retention sweep: a keyset page of live subjects (not erased, not merged away), non-personal columns only. */
  listForRetention(afterId: string | null, limit: number): Promise<RetentionSubjectRow[]> {
    return this.repo.forRetention(afterId, limit);
  }

  /** The same rows, locked in the caller's transaction: holds, restrictions and merges wait for it. */
  lockForRetention(manager: EntityManager, ids: string[]): Promise<RetentionSubjectRow[]> {
    return this.repo.lockForRetention(manager, ids);
  }

  /** Of these (surviving) subject ids, those under an active legal hold; one query. */
  activeHoldIds(ids: string[], manager?: EntityManager): Promise<Set<string>> {
    return this.repo.activeHoldIds(ids.filter(isUuid), manager);
  }

  /** Breach selection: subjects (not erased, not merged) whose record existed at some time in [from, to]. */
  listIdsActiveBetween(from: Date, to: Date, afterId: string | undefined, limit: number): Promise<string[]> {
    return this.repo.idsExistingBetween(from, to, afterId, limit);
  }
}
