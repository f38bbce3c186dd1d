import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { SubjectIdentifier } from './subject-identifier.entity';
import { namedQuery } from './subjects.repository';

export interface IdentifierOwner {
  blindIndex: Buffer;
  systemKey: string;
  subjectId: string;
}

/** The SQL of identifiers (blind indexes) and of the suppression list. Writes take the caller's manager. */
@Injectable()
export class SubjectIdentifiersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * For each (kind, blind index, suppression hash): every owner of the index (none: one row with a null owner) and
   * whether the hash is on the suppression list. One named statement for a grant that finds or creates its subject,
   * where the owner and the suppression list were two round trips.
   */
  async ownersAndSuppression(
    kinds: IdentifierKind[],
    indexes: Buffer[],
    hashes: string[],
  ): Promise<{ kind: IdentifierKind; subject_id: string | null; suppressed: boolean }[]> {
    return (await namedQuery(
      this.dataSource,
      'zgoda_identify',
      `SELECT k.kind, i.subject_id,
              EXISTS (SELECT 1 FROM subject_suppressions s WHERE s.kind = k.kind AND s.hash = k.hash) AS suppressed
         FROM unnest($1::text[], $2::bytea[], $3::char(64)[]) AS k (kind, blind_index, hash)
         LEFT JOIN subject_identifiers i ON i.kind = k.kind AND i.blind_index = k.blind_index`,
      [kinds, indexes, hashes],
    )) as { kind: IdentifierKind; subject_id: string | null; suppressed: boolean }[];
  }

  /** Who holds these blind indexes: one index scan whatever the number of values. */
  async findOwners(kind: IdentifierKind, indexes: Buffer[], m?: EntityManager): Promise<IdentifierOwner[]> {
    if (!indexes.length) return [];
    const sql = `SELECT blind_index, system_key, subject_id FROM subject_identifiers
        WHERE kind = $1 AND blind_index = ANY($2::bytea[])`;
    // Outside a transaction (lookups), a named statement: this runs on every GET /v1/subjects?email=.
    const rows = (
      m
        ? await m.query(sql, [kind, indexes])
        : await namedQuery(this.dataSource, 'zgoda_identifier_owners', sql, [kind, indexes])
    ) as { blind_index: Buffer; system_key: string; subject_id: string }[];
    return rows.map((r) => ({ blindIndex: r.blind_index, systemKey: r.system_key, subjectId: r.subject_id }));
  }

  /**
   * Inserts identifiers; the ones whose (kind, index, system) another subject already holds are skipped
   * and their ids left out of the result. ON CONFLICT waits for a concurrent transaction inserting the
   * same identifier to finish, so two simultaneous creations of one e-mail can never both succeed.
   */
  async insertIdentifiers(m: EntityManager, rows: Partial<SubjectIdentifier>[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(SubjectIdentifier)
      .values(rows as never)
      .orIgnore()
      .returning(['id'])
      .execute();
    return new Set((result.raw as { id: string }[]).map((r) => r.id));
  }

  identifiersOf(subjectId: string, m?: EntityManager): Promise<SubjectIdentifier[]> {
    return (m ?? this.dataSource.manager)
      .getRepository(SubjectIdentifier)
      .find({ where: { subjectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The identifiers of many subjects, each subject's in identifiersOf order (a batch erasure). */
  identifiersOfMany(m: EntityManager, subjectIds: string[]): Promise<SubjectIdentifier[]> {
    return m.getRepository(SubjectIdentifier).find({
      where: { subjectId: In(subjectIds) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async deleteIdentifiers(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length) await m.getRepository(SubjectIdentifier).delete(ids);
  }

  async moveIdentifier(m: EntityManager, id: string, changes: Partial<SubjectIdentifier>): Promise<void> {
    await m.getRepository(SubjectIdentifier).update(id, changes as never);
  }

  async setPrimary(m: EntityManager, id: string, isPrimary: boolean): Promise<void> {
    await m.getRepository(SubjectIdentifier).update(id, { isPrimary });
  }

  /** Returns `kind\0hash` of the hashes new to the table (an address erased before is suppressed already). */
  async addSuppressions(m: EntityManager, rows: { kind: IdentifierKind; hash: string }[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const inserted = (await m.query(
      `INSERT INTO subject_suppressions (kind, hash)
       SELECT * FROM unnest($1::text[], $2::char(64)[]) ON CONFLICT DO NOTHING RETURNING kind, hash`,
      [rows.map((r) => r.kind), rows.map((r) => r.hash)],
    )) as { kind: string; hash: string }[];
    return new Set(inserted.map((r) => `${r.kind}\u0000${r.hash}`));
  }

  async suppressedHashes(kind: IdentifierKind, hashes: string[]): Promise<Set<string>> {
    if (!hashes.length) return new Set();
    const rows = (await this.dataSource.query(
      `SELECT hash FROM subject_suppressions WHERE kind = $1 AND hash = ANY($2::char(64)[])`,
      [kind, hashes],
    )) as { hash: string }[];
    return new Set(rows.map((r) => r.hash));
  }
}
