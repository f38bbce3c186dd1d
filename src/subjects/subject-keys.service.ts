import { Injectable } from '@nestjs/common';
import { CryptoService } from '../common/crypto/crypto.service';
import { IdentifierKind, InvalidIdentifierError, normaliseIdentifier } from '../common/identifiers/normalise';
import { SubjectIdentifiersRepository } from './subject-identifiers.repository';

export interface IdentifierKeys {
  blindIndex: Buffer;
  hash: string;
}

/** The normalised value, or null when invalid (an invalid identifier finds nobody and is on no list). */
export function normaliseOrNull(kind: IdentifierKind, raw: string): string | null {
  try {
    return normaliseIdentifier(kind, raw);
  } catch (e) {
    if (e instanceof InvalidIdentifierError) return null;
    throw e;
  }
}

/**
 * The keys identifiers are looked up by (blind indexes) and checked against the suppression list by
 * (suppression hashes), for callers that fold the lookup into their own query (the consent decision).
 * Plaintext identifiers are never stored or queried.
 */
@Injectable()
export class SubjectKeysService {
  constructor(
    private readonly identifiers: SubjectIdentifiersRepository,
    private readonly crypto: CryptoService,
  ) {}

  /**
   * The blind index and suppression hash of one identifier, normalised once; null when invalid (an
   * invalid identifier finds nobody and is on no list).
   */
  identifierKeys(kind: IdentifierKind, raw: string): IdentifierKeys | null {
    const value = normaliseOrNull(kind, raw);
    if (value === null) return null;
    return { blindIndex: this.crypto.blindIndex(kind, value), hash: this.crypto.suppressionHash(kind, value) };
  }

  /** The blind index of one identifier; null when invalid (it then finds nobody). */
  blindIndexOf(kind: IdentifierKind, raw: string): Buffer | null {
    const value = normaliseOrNull(kind, raw);
    return value === null ? null : this.crypto.blindIndex(kind, value);
  }

  /**
   * A batch's normalised values keyed by the raw input (invalid ones left out), so that its blind
   * indexes and suppression hashes are computed from one normalisation (the consent batch decision).
   */
  normaliseIdentifiers(kind: IdentifierKind, raws: Iterable<string>): Map<string, string> {
    const out = new Map<string, string>();
    for (const raw of raws) {
      if (out.has(raw)) continue;
      const value = normaliseOrNull(kind, raw);
      if (value !== null) out.set(raw, value);
    }
    return out;
  }

  /** Blind indexes of normalised values (from `normaliseIdentifiers`), in their order. */
  blindIndexes(kind: IdentifierKind, values: string[]): Buffer[] {
    return values.map((value) => this.crypto.blindIndex(kind, value));
  }

  /** Of these normalised values, those on the suppression list; one query. */
  async suppressedValues(kind: IdentifierKind, values: string[]): Promise<Set<string>> {
    const valueOf = new Map<string, string>();
    for (const value of values) valueOf.set(this.crypto.suppressionHash(kind, value), value);
    const found = await this.identifiers.suppressedHashes(kind, [...valueOf.keys()]);
    return new Set([...found].map((h) => valueOf.get(h)!));
  }
}
