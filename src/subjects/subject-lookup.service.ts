import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import { ProblemError } from '../common/problem/problem.error';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { SubjectIdentifiersRepository } from './subject-identifiers.repository';
import { normaliseOrNull, SubjectKeysService } from './subject-keys.service';
import type { ContactKind } from './subject-profiles.repository';
import { SubjectAddresses, SubjectContact, SubjectProfile, SubjectReader } from './subject-reader.service';
import { SubjectsRepository } from './subjects.repository';
import { subjectView } from './subject.view';
import type { SubjectResponse } from './subjects.responses';

export type { DecryptedHold, SubjectAddresses, SubjectContact, SubjectProfile } from './subject-reader.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);

// Appends in place: spreading the list on every value made a 10,000-entry batch quadratic in the worst case.
function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface SubjectResidue {
  subjectId: string;
  erased: boolean;
  dataKey: boolean;
  identifiers: number;
  encryptedFields: number;
  holdReasons: number;
  /** Identifiers the erasure hashed onto the suppression list. */
  suppressedIdentifiers: number;
}

export interface DecisionFacts {
  status: 'active' | 'restricted' | 'erased';
  minorUntil: string | null;
  objectedToDirectMarketing: boolean;
}

/**
 * Finding subjects and reading them: by identifier (through blind indexes only, never by plaintext), by
 * id (merged ids followed to the survivor everywhere), the suppression list, contacts and profiles.
 * Identifiers move to the survivor when records merge, so an identifier's owner is always a live record.
 * Also serves notifications as its CONTACT_RESOLVER (`getContact`).
 */
@Injectable()
export class SubjectLookupService {
  private readonly logger = new Logger(SubjectLookupService.name);

  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly identifiers: SubjectIdentifiersRepository,
    private readonly keys: SubjectKeysService,
    private readonly reader: SubjectReader,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Issue 13 item 2: what Zgoda still holds of a subject, checked before an erasure certificate is issued (no
   * data key, no identifier, no ciphertext, no hold reason), and whether the erasure put identifiers on the
   * suppression list (its `subject.erased` entry counts them; a subject without identifiers has nothing to
   * suppress). Counts only. Null for an unknown id.
   */
  async residueOf(subjectId: string): Promise<SubjectResidue | null> {
    const id = await this.resolveId(subjectId);
    if (!id) return null;
    const row = await this.subjects.residue(id);
    if (!row) return null;
    const erasure = (await this.audit.findForTarget('subject', id)).filter((e) => e.action === 'subject.erased').pop();
    const hashed = Number((erasure?.data as { identifiers?: number } | null)?.identifiers ?? 0);
    return {
      subjectId: id,
      erased: row.status === 'erased',
      dataKey: row.data_key,
      identifiers: row.identifiers,
      encryptedFields: row.encrypted_fields,
      holdReasons: row.hold_reasons,
      suppressedIdentifiers: erasure ? hashed : 0,
    };
  }

  /**
   * The subject an external id, e-mail or phone names, in that order of precedence (each as findIdByIdentifier
   * answers: the one holder, else nobody), and whether any of them is on the suppression list; one statement.
   * Invalid values name nobody and are on no list.
   */
  async identify(ref: { externalId?: string; email?: string; phone?: string }): Promise<{
    subjectId: string | null;
    suppressed: boolean;
  }> {
    const kinds: IdentifierKind[] = [];
    const indexes: Buffer[] = [];
    const hashes: string[] = [];
    for (const [kind, raw] of [
      ['external_id', ref.externalId],
      ['email', ref.email],
      ['phone', ref.phone],
    ] as const) {
      const value = raw === undefined ? null : normaliseOrNull(kind, raw);
      if (value === null) continue;
      kinds.push(kind);
      indexes.push(this.crypto.blindIndex(kind, value));
      hashes.push(this.crypto.suppressionHash(kind, value));
    }
    if (!kinds.length) return { subjectId: null, suppressed: false };
    const rows = await this.failClosed(() => this.identifiers.ownersAndSuppression(kinds, indexes, hashes));
    let subjectId: string | null = null;
    for (const kind of kinds) {
      const owners = new Set(rows.filter((r) => r.kind === kind && r.subject_id).map((r) => r.subject_id));
      if (owners.size === 1) {
        subjectId = [...owners][0];
        break;
      }
    }
    return { subjectId, suppressed: rows.some((r) => r.suppressed) };
  }

  /** The one subject with this identifier; null when unknown, invalid or ambiguous across systems. */
  async findIdByIdentifier(kind: IdentifierKind, raw: string): Promise<string | null> {
    const ids = await this.findIdsByIdentifier(kind, raw);
    return ids.length === 1 ? ids[0] : null;
  }

  /**
   * Every subject holding this identifier, optionally within one system (external ids are unique per
   * system, so the same shop id may belong to two people in two systems). Invalid input finds nobody.
   */
  async findIdsByIdentifier(kind: IdentifierKind, raw: string, system?: string): Promise<string[]> {
    const value = normaliseOrNull(kind, raw);
    if (value === null) return [];
    const owners = await this.failClosed(() =>
      this.identifiers.findOwners(kind, [this.crypto.blindIndex(kind, value)]),
    );
    const matching = system === undefined ? owners : owners.filter((o) => o.systemKey === system);
    return [...new Set(matching.map((o) => o.subjectId))];
  }

  /**
   * Keyed by the raw input; unknown, invalid and cross-system ambiguous values are absent. One query for
   * the whole batch (up to 10,000 identifiers per consent decision call).
   */
  async findIdsByIdentifiers(kind: IdentifierKind, raws: string[]): Promise<Map<string, string>> {
    return this.failClosed(() => {
      const byIndex = new Map<string, string[]>();
      for (const raw of new Set(raws)) {
        const value = normaliseOrNull(kind, raw);
        if (value === null) continue;
        push(byIndex, this.crypto.blindIndex(kind, value).toString('hex'), raw);
      }
      return this.ownersOf(kind, byIndex);
    });
  }

  /**
   * A lookup that could not run (pool timeout, lost connection, keyring error) must never read as "nobody":
   * a known requester's request would end `identity_not_verified` and an erasure would be certified with
   * nothing erased. The caller gets 503 service_unavailable, nothing is written, and the client retries.
   */
  private async failClosed<T>(lookup: () => Promise<T>): Promise<T> {
    try {
      return await lookup();
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      // Name and code only: the driver's error may quote the blind index or the SQL parameters.
      const err = e as { name?: string; code?: string };
      this.logger.error({ err: { name: err?.name, code: err?.code } }, 'identifier lookup failed');
      throw new ProblemError('service_unavailable', 'People cannot be looked up right now; nothing was recorded.', {
        retryAfterSeconds: 5,
      });
    }
  }

  /** Raw inputs by blind index (hex) to subject ids; an index several subjects share answers nobody. */
  private async ownersOf(kind: IdentifierKind, byIndex: Map<string, string[]>): Promise<Map<string, string>> {
    const owners = await this.identifiers.findOwners(
      kind,
      [...byIndex.keys()].map((h) => Buffer.from(h, 'hex')),
    );
    const subjectsOf = new Map<string, Set<string>>();
    for (const o of owners) {
      const hex = o.blindIndex.toString('hex');
      subjectsOf.set(hex, (subjectsOf.get(hex) ?? new Set()).add(o.subjectId));
    }
    const out = new Map<string, string>();
    for (const [hex, subjects] of subjectsOf) {
      if (subjects.size !== 1) continue;
      const [id] = subjects;
      for (const raw of byIndex.get(hex) ?? []) out.set(raw, id);
    }
    return out;
  }

  /** The survivor's id (itself unless merged); null when unknown. */
  async resolveId(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    return (await this.subjects.resolve([id])).get(id) ?? null;
  }

  /**
   * The survivor's id followed by the ids merged into it: for reading history that is append-only and so
   * stays under the id it was written with (consent events, the audit log).
   */
  async aliasesOf(subjectId: string): Promise<string[]> {
    const id = await this.resolveId(subjectId);
    return id ? [id, ...(await this.subjects.mergedInto(id))] : [];
  }

  /** One query; keyed by the ids given, a merged id answering with its survivor's facts. */
  async getDecisionFacts(ids: string[]): Promise<Map<string, DecisionFacts>> {
    const rows = await this.subjects.decisionFacts([...new Set(ids.filter(isUuid))]);
    return new Map(
      rows.map((r) => [r.id, { status: r.status, minorUntil: r.minor_until, objectedToDirectMarketing: r.objected }]),
    );
  }

  async isSuppressed(kind: IdentifierKind, raw: string): Promise<boolean> {
    return (await this.suppressedSet(kind, [raw])).size > 0;
  }

  /** Of these raw inputs, those on the suppression list; one query. */
  async suppressedSet(kind: IdentifierKind, raws: string[]): Promise<Set<string>> {
    const byHash = new Map<string, string[]>();
    for (const raw of new Set(raws)) {
      const value = normaliseOrNull(kind, raw);
      if (value === null) continue;
      push(byHash, this.crypto.suppressionHash(kind, value), raw);
    }
    const found = await this.identifiers.suppressedHashes(kind, [...byHash.keys()]);
    return new Set([...found].flatMap((h) => byHash.get(h) ?? []));
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
  /** Identifiers only (by default e-mail and phone), nothing else decrypted (the audience stream, the feed). */
  getContacts(subjectIds: string[], only: 'addresses', kinds?: ContactKind[]): Promise<Map<string, SubjectAddresses>>;
  getContacts(
    subjectIds: string[],
    only?: 'addresses',
    kinds?: ContactKind[],
  ): Promise<Map<string, SubjectContact | SubjectAddresses>> {
    const ids = [...new Set(subjectIds.filter(isUuid))];
    return only === 'addresses' ? this.reader.contacts(ids, only, kinds) : this.reader.contacts(ids);
  }

  /** Everything held in Zgoda's own tables, decrypted: the subjects part of an access package. */
  getProfile(subjectId: string): Promise<SubjectProfile | null> {
    return isUuid(subjectId) ? this.reader.profile(subjectId) : Promise.resolve(null);
  }

  /**
   * A staff member's read of one person, decrypted, with `subject.viewed` on record (Art. 5(2): who saw whose data,
   * through the API or the console). An erased subject's shell holds nothing personal: nothing to account for.
   */
  async view(id: string, via: 'api' | 'console'): Promise<SubjectResponse> {
    const profile = await this.getProfile(id);
    if (!profile) throw new ProblemError('unknown_subject', 'No subject with this id.');
    if (profile.status !== 'erased') {
      await this.audit.appendRead([
        { action: 'subject.viewed', targetType: 'subject', targetId: profile.id, subjectId: profile.id, data: { via } },
      ]);
    }
    return subjectView(profile, id);
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
    const index = this.keys.blindIndexOf(kind, raw);
    return index ? this.reader.profilesByIndex(kind, index, system ?? null, limit) : [];
  }

  /**
   * Breach selection: subjects (not merged away) whose record was held at some time in [from, to]; with
   * `systems`, only those holding an identifier of one of them.
   */
  listIdsHeldBetween(
    from: Date,
    to: Date,
    systems: string[] | null,
    afterId: string | undefined,
    limit: number,
  ): Promise<string[]> {
    return this.subjects.idsHeldBetween(from, to, systems, afterId, limit);
  }

  /** Of these system keys, those Zgoda can link subjects to (an identifier scoped to the system). */
  systemsWithSubjects(systems: string[]): Promise<Set<string>> {
    return this.subjects.systemsWithSubjects(systems);
  }
}
