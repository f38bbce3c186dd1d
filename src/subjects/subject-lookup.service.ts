import { Injectable } from '@nestjs/common';
import { CryptoService } from '../common/crypto/crypto.service';
import { IdentifierKind, InvalidIdentifierError, normaliseIdentifier } from '../common/identifiers/normalise';
import { SubjectsRepository } from './subjects.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);

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
      const hex = this.crypto.blindIndex(kind, value).toString('hex');
      byIndex.set(hex, [...(byIndex.get(hex) ?? []), raw]);
    }
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
      const hash = this.crypto.suppressionHash(kind, value);
      byHash.set(hash, [...(byHash.get(hash) ?? []), raw]);
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
