import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CryptoService } from '../common/crypto/crypto.service';
import { IdentifierKind } from '../common/identifiers/normalise';
import { ProblemError } from '../common/problem/problem.error';
import { SubjectIdentifiersRepository } from './subject-identifiers.repository';
import { LockedSubjectRow, SubjectImportRepository } from './subject-import.repository';
import { IdentifierInput, normaliseIdentifiers, SubjectLocale } from './subject-rules';
import { SubjectWriter } from './subject-writer.service';
import { SubjectStatus } from './subject.entity';

export interface ImportSubjectRef {
  email?: string;
  phone?: string;
  externalId?: string;
  /** For a subject created by the import: the language of the text the row agreed to. */
  locale?: SubjectLocale;
}

type RowError = { error: { field: string; code: string; message: string } };

export type ImportedSubject =
  { id: string; status: SubjectStatus; minorUntil: string | null; objectedToDirectMarketing: boolean } | RowError;

/** The order a live grant looks a person up in (ConsentsService.findSubject). */
const LOOKUP_ORDER: IdentifierKind[] = ['external_id', 'email', 'phone'];

/**
 * Issue 14 item 1, the subjects' side of an import batch: the subject each row names, found or created, locked for
 * the batch's consent writes, in a constant number of statements however many rows the batch has.
 */
@Injectable()
export class SubjectImporter {
  constructor(
    private readonly repo: SubjectImportRepository,
    private readonly identifiers: SubjectIdentifiersRepository,
    private readonly writer: SubjectWriter,
    private readonly crypto: CryptoService,
  ) {}

  /**
   * For each reference, in the caller's transaction: the subject holding its external id, else its e-mail, else
   * its phone (an identifier several subjects hold identifies nobody), else a new one (rows naming the same new
   * person share it); then every subject locked FOR KEY SHARE in id order, a merged record followed to its
   * survivor, with its decision facts. Creations are not audited one by one: the caller's batch entry counts
   * them (`created`). An identifier a concurrent write takes meanwhile fails the batch, to be retried whole.
   */
  async lockOrCreate(
    m: EntityManager,
    refs: ImportSubjectRef[],
  ): Promise<{ subjects: ImportedSubject[]; created: number }> {
    const parsed = refs.map((ref) => this.normalise(ref));
    const owners = await this.owners(m, parsed);
    const claimed = new Map<string, string>();
    const created: ReturnType<SubjectWriter['prepare']>[] = [];
    const ids = parsed.map((p, i): string | ImportedSubject => {
      if ('error' in p) return p;
      const keyed = LOOKUP_ORDER.flatMap((kind) => p.filter((x) => x.kind === kind)).map((x) => ({
        x,
        key: `${x.kind}|${this.crypto.blindIndex(x.kind, x.value).toString('hex')}`,
      }));
      for (const { key } of keyed) {
        const holders = owners.get(key);
        if (holders?.size === 1) return [...holders][0];
      }
      for (const { key } of keyed) {
        const mine = claimed.get(key);
        if (mine) return mine;
      }
      const ref = refs[i];
      const rows = this.writer.prepare({
        email: ref.email,
        phone: ref.phone,
        externalId: ref.externalId,
        ...(ref.locale ? { locale: ref.locale } : {}),
      });
      created.push(rows);
      for (const { key } of keyed) claimed.set(key, rows.subject.id);
      return rows.subject.id;
    });
    const identifiers = created.flatMap((c) => c.identifiers);
    const inserted = await this.repo.insertNewSubjects(
      m,
      created.map((c) => c.subject),
      identifiers,
    );
    if (inserted.size !== identifiers.length) {
      throw new Error('an identifier of a new subject was taken by a concurrent write; the batch is retried');
    }
    const locked = await this.lock(m, [...new Set(ids.filter((id): id is string => typeof id === 'string'))]);
    const subjects = ids.map((id): ImportedSubject => {
      if (typeof id !== 'string') return id;
      const row = locked.get(id);
      if (!row) return { error: { field: 'subject', code: 'unknown_subject', message: 'the subject is gone' } };
      return {
        id: row.id,
        status: row.status,
        minorUntil: row.minor_until,
        objectedToDirectMarketing: row.objected,
      };
    });
    return { subjects, created: created.length };
  }

  private normalise(ref: ImportSubjectRef): IdentifierInput[] | RowError {
    try {
      return normaliseIdentifiers({ email: ref.email, phone: ref.phone, externalId: ref.externalId });
    } catch (e) {
      if (!(e instanceof ProblemError)) throw e;
      const first = (e.extras.errors as { field: string; message: string }[] | undefined)?.[0];
      return {
        error: { field: `subject.${first?.field ?? 'email'}`, code: e.code, message: first?.message ?? e.message },
      };
    }
  }

  /** Holders of every identifier given, per kind and blind index (hex): one statement per kind. */
  private async owners(m: EntityManager, parsed: (IdentifierInput[] | RowError)[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const kind of LOOKUP_ORDER) {
      const indexes = new Map<string, Buffer>();
      for (const p of parsed) {
        if ('error' in p) continue;
        for (const x of p) {
          if (x.kind !== kind) continue;
          const index = this.crypto.blindIndex(kind, x.value);
          indexes.set(index.toString('hex'), index);
        }
      }
      for (const o of await this.identifiers.findOwners(kind, [...indexes.values()], m)) {
        const key = `${kind}|${o.blindIndex.toString('hex')}`;
        const set = out.get(key) ?? new Set<string>();
        set.add(o.subjectId);
        out.set(key, set);
      }
    }
    return out;
  }

  /** Locked rows keyed by the id given: a merged record answers with its survivor. */
  private async lock(m: EntityManager, ids: string[]): Promise<Map<string, LockedSubjectRow>> {
    const rows = await this.repo.lockForConsent(m, ids);
    const survivors = await this.repo.lockForConsent(m, [
      ...new Set(rows.flatMap((r) => (r.merged_into ? [r.merged_into] : []))),
    ]);
    const byId = new Map(survivors.map((r) => [r.id, r]));
    return new Map(rows.map((r) => [r.id, r.merged_into ? byId.get(r.merged_into)! : r]));
  }
}
