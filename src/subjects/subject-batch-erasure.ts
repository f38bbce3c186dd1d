import { ErasureJournal } from './erasure-journal.service';
import { ShredVacuum } from './shred-vacuum.service';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { identifierColumn, SubjectCipher } from './subject-cipher';
import { SubjectHoldsRepository } from './subject-holds.repository';
import { SubjectHooks } from './subject-hooks';
import { SubjectIdentifier } from './subject-identifier.entity';
import { SubjectIdentifiersRepository } from './subject-identifiers.repository';
import { SubjectKeysRepository } from './subject-keys.repository';
import { byKind } from './subject-reader.service';
import { SubjectsRepository } from './subjects.repository';

export interface ErasureTarget {
  /** A surviving id (merges already followed). */
  subjectId: string;
  /** The caller's reason code (`request:<id>`, `retention:<policy>`, ...), audited. */
  reason: string;
  /**
   * False for retention's anonymise: the data goes, but the person objected to nothing, so no suppression
   * hash is kept and a customer who comes back is a new one.
   */
  suppress: boolean;
}

export interface RevealedIdentifier {
  kind: IdentifierKind;
  value: string;
  system: string | null;
}

export interface ErasureOutcome {
  /** Erased by this call, in the order given. */
  erased: string[];
  /** Under an active legal hold (Art. 17(3)): left alone. */
  held: string[];
  /** Unknown, merged away or erased already: nothing to do (erasure is idempotent). */
  gone: string[];
  /** Data key that could not be opened (its master version missing from the keyring): left alone. */
  failed: Map<string, Error>;
  /** For the ids asked for in `reveal`, the identifiers as they were before erasure (profile order). */
  revealed: Map<string, RevealedIdentifier[]>;
}

/**
 * Crypto-shredding of a batch of subjects in the caller's transaction, in a constant number of statements
 * whatever the count: one erasure request is a batch of one, a retention batch hundreds. The subjects are
 * locked (FOR UPDATE, id order, as merges lock) and judged again here, so a hold placed or an erasure
 * committed since the caller looked is respected.
 *
 * Order matters: identifiers are decrypted in memory for their suppression hashes before the keys are
 * deleted; a subject whose key cannot be opened is left out before anything is written, since erasing it
 * without its hashes would let a re-imported e-mail be contacted again.
 */
@Injectable()
export class SubjectBatchErasure {
  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly identifiers: SubjectIdentifiersRepository,
    private readonly keys: SubjectKeysRepository,
    private readonly holds: SubjectHoldsRepository,
    private readonly cipher: SubjectCipher,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly hooks: SubjectHooks,
    private readonly vacuum: ShredVacuum,
    private readonly journal: ErasureJournal,
  ) {}

  async erase(
    m: EntityManager,
    targets: ErasureTarget[],
    reveal: ReadonlySet<string> = new Set(),
  ): Promise<ErasureOutcome> {
    const out: ErasureOutcome = { erased: [], held: [], gone: [], failed: new Map(), revealed: new Map() };
    const wanted = [...new Set(targets.map((t) => t.subjectId))];
    if (!wanted.length) return out;
    const live = new Set((await this.subjects.lockForRetention(m, wanted)).map((r) => r.id));
    const held = await this.holds.activeHoldIds([...live], m);
    const candidates = wanted.filter((id) => live.has(id) && !held.has(id));
    const identifiers = candidates.length ? await this.identifiers.identifiersOfMany(m, candidates) : [];
    const keys = candidates.length ? await this.keys.keysOf(m, candidates) : [];
    const identifiersOf = new Map<string, SubjectIdentifier[]>();
    for (const i of identifiers) identifiersOf.set(i.subjectId, [...(identifiersOf.get(i.subjectId) ?? []), i]);
    const keyOf = new Map(keys.map((k) => [k.subjectId, k]));
    const targetOf = new Map(targets.map((t) => [t.subjectId, t]));

    // Suppression hashes in memory, each attributed to the first subject holding it (as erasing them one
    // after the other would count it).
    const hashOwner = new Map<string, string>();
    const hashes: { subjectId: string; kind: IdentifierKind; hash: string }[] = [];
    const ok: string[] = [];
    for (const id of wanted) {
      if (!live.has(id)) {
        out.gone.push(id);
        continue;
      }
      if (held.has(id)) {
        out.held.push(id);
        continue;
      }
      const suppress = targetOf.get(id)!.suppress;
      const key = keyOf.get(id);
      const rows = identifiersOf.get(id) ?? [];
      if (key && (suppress || reveal.has(id))) {
        try {
          const plain = this.cipher.with(id, key.wrappedKey, key.keyVersion, (k) =>
            rows.map((i) => ({ row: i, value: k.decrypt(identifierColumn(i.id), i.valueEnc) })),
          );
          if (suppress) {
            for (const { row, value } of plain) {
              const hash = this.crypto.suppressionHash(row.kind, value);
              const at = `${row.kind}\u0000${hash}`;
              if (hashOwner.has(at)) continue;
              hashOwner.set(at, id);
              hashes.push({ subjectId: id, kind: row.kind, hash });
            }
          }
          if (reveal.has(id)) {
            const values = new Map(plain.map((p) => [p.row.id, p.value]));
            out.revealed.set(
              id,
              byKind(rows).map((i) => ({ kind: i.kind, value: values.get(i.id)!, system: i.systemKey || null })),
            );
          }
        } catch (error) {
          out.failed.set(id, error as Error);
          continue;
        }
      }
      ok.push(id);
    }
    if (!ok.length) return out;
    const done = new Set(ok);
    const kept = hashes.filter((h) => done.has(h.subjectId));
    const inserted = await this.identifiers.addSuppressions(m, kept);
    const erasedAt = new Date();
    await this.subjects.shred(m, ok, erasedAt);
    await this.vacuum.schedule(m);
    await this.journal.record(
      m,
      erasedAt,
      ok.filter((id) => targetOf.get(id)!.suppress),
      ok.filter((id) => !targetOf.get(id)!.suppress),
    );
    const followed = await this.hooks.runErasedMany(
      m,
      ok.map((id) => ({ subjectId: id, reason: targetOf.get(id)!.reason })),
    );
    const suppressedBy = new Map<string, number>();
    for (const h of kept) {
      if (inserted.has(`${h.kind}\u0000${h.hash}`))
        suppressedBy.set(h.subjectId, (suppressedBy.get(h.subjectId) ?? 0) + 1);
    }
    // One INSERT for the whole chunk's entries (issue 16: no lock shared with other writers).
    await this.audit.appendMany(
      m,
      ok.map((id) => {
        const t = targetOf.get(id)!;
        return {
          action: t.suppress ? 'subject.erased' : 'subject.anonymised',
          targetType: 'subject',
          targetId: id,
          subjectId: id,
          reason: t.reason,
          data: {
            identifiers: identifiersOf.get(id)?.length ?? 0,
            suppressed: suppressedBy.get(id) ?? 0,
            followedBy: followed,
          },
        };
      }),
    );
    out.erased = ok;
    return out;
  }
}
