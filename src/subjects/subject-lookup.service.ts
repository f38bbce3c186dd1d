import { Injectable } from '@nestjs/common';
import { CryptoService } from '../common/crypto/crypto.service';
import { IdentifierKind, InvalidIdentifierError, normaliseIdentifier } from '../common/identifiers/normalise';
import { SubjectsRepository } from './subjects.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);

export interface IdentifierKeys {
  blindIndex: Buffer;
  hash: string;
}

// Appends in place: spreading the list on every value made a 10,000-entry batch quadratic in the worst case.
function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface DecisionFacts {
  status: 'active' | 'restricted' | 'erased';
  minorUntil: string | null;
  objectedToDirectMarketing: boolean;
}

/**
 * Finds subjects by identifier through blind indexes only, never by plaintext. Identifiers move to the
 * survivor when records merge, so an identifier's owner is always a live record.
 */
@Injectable()
export class SubjectLookup {
  constructor(
    private readonly repo: SubjectsRepository,
    private readonly crypto: CryptoService,
  ) {}

  /**
   * Every subject holding this identifier, optionally within one system (external ids are unique per
   * system, so the same shop id may belong to two people in two systems). Invalid input finds nobody.
   */
  async findAll(kind: IdentifierKind, raw: string, system?: string): Promise<string[]> {
    const value = this.normalise(kind, raw);
    if (value === null) return [];
    const owners = await this.repo.findOwners(kind, [this.crypto.blindIndex(kind, value)]);
    const matching = system === undefined ? owners : owners.filter((o) => o.systemKey === system);
    return [...new Set(matching.map((o) => o.subjectId))];
  }

  /** The blind index of one identifier; null when invalid (it then finds nobody). */
  blindIndexOf(kind: IdentifierKind, raw: string): Buffer | null {
    const value = this.normalise(kind, raw);
    return value === null ? null : this.crypto.blindIndex(kind, value);
  }

  /** The one subject with this identifier; null when unknown, invalid or ambiguous across systems. */
  async findId(kind: IdentifierKind, raw: string): Promise<string | null> {
    const ids = await this.findAll(kind, raw);
    return ids.length === 1 ? ids[0] : null;
  }

  /** One query for the whole batch (up to 10,000 identifiers per consent decision call). */
  async findIds(kind: IdentifierKind, raws: string[]): Promise<Map<string, string>> {
    const byIndex = new Map<string, string[]>();
    for (const raw of new Set(raws)) {
      const value = this.normalise(kind, raw);
      if (value === null) continue;
      push(byIndex, this.crypto.blindIndex(kind, value).toString('hex'), raw);
    }
    return this.ownersOf(kind, byIndex);
  }

  /** Raw inputs by blind index (hex) to subject ids; an index several subjects share answers nobody. */
  private async ownersOf(kind: IdentifierKind, byIndex: Map<string, string[]>): Promise<Map<string, string>> {
    const owners = await this.repo.findOwners(
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

  /**
   * The blind index and suppression hash of one identifier, normalised once; null when invalid (an
   * invalid identifier finds nobody and is on no list). For callers that fold the lookup into their own
   * query (the consent decision).
   */
  identifierKeys(kind: IdentifierKind, raw: string): IdentifierKeys | null {
    const value = this.normalise(kind, raw);
    if (value === null) return null;
    return { blindIndex: this.crypto.blindIndex(kind, value), hash: this.crypto.suppressionHash(kind, value) };
  }

  /**
   * A batch's normalised values keyed by the raw input (invalid ones left out), so that its blind
   * indexes and suppression hashes are computed from one normalisation (the consent batch decision).
   */
  normaliseAll(kind: IdentifierKind, raws: Iterable<string>): Map<string, string> {
    const out = new Map<string, string>();
    for (const raw of raws) {
      if (out.has(raw)) continue;
      const value = this.normalise(kind, raw);
      if (value !== null) out.set(raw, value);
    }
    return out;
  }

  /** Blind indexes of normalised values, in their order. */
  blindIndexes(kind: IdentifierKind, values: string[]): Buffer[] {
    return values.map((value) => this.crypto.blindIndex(kind, value));
  }

  /** Of these normalised values, those on the suppression list; one query. */
  async suppressedValues(kind: IdentifierKind, values: string[]): Promise<Set<string>> {
    const valueOf = new Map<string, string>();
    for (const value of values) valueOf.set(this.crypto.suppressionHash(kind, value), value);
    const found = await this.repo.suppressedHashes(kind, [...valueOf.keys()]);
    return new Set([...found].map((h) => valueOf.get(h)!));
  }

  async resolve(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    return (await this.repo.resolve([id])).get(id) ?? null;
  }

  async decisionFacts(ids: string[]): Promise<Map<string, DecisionFacts>> {
    const rows = await this.repo.decisionFacts([...new Set(ids.filter(isUuid))]);
    return new Map(
      rows.map((r) => [r.id, { status: r.status, minorUntil: r.minor_until, objectedToDirectMarketing: r.objected }]),
    );
  }

  async isSuppressed(kind: IdentifierKind, raw: string): Promise<boolean> {
    return (await this.suppressedSet(kind, [raw])).size > 0;
  }

  async suppressedSet(kind: IdentifierKind, raws: string[]): Promise<Set<string>> {
    const byHash = new Map<string, string[]>();
    for (const raw of new Set(raws)) {
      const value = this.normalise(kind, raw);
      if (value === null) continue;
      push(byHash, this.crypto.suppressionHash(kind, value), raw);
    }
    const found = await this.repo.suppressedHashes(kind, [...byHash.keys()]);
    return new Set([...found].flatMap((h) => byHash.get(h) ?? []));
  }

  private normalise(kind: IdentifierKind, raw: string): string | null {
    try {
      return normaliseIdentifier(kind, raw);
    } catch (e) {
      if (e instanceof InvalidIdentifierError) return null;
      throw e;
    }
  }
}
