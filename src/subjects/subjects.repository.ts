import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { SubjectHold } from './subject-hold.entity';
import { SubjectIdentifier } from './subject-identifier.entity';
import { SubjectKey } from './subject-key.entity';
import { Subject, SubjectStatus } from './subject.entity';

export interface IdentifierOwner {
  blindIndex: Buffer;
  systemKey: string;
  subjectId: string;
}

export interface DecisionFactsRow {
  id: string;
  status: SubjectStatus;
  minor_until: string | null;
  objected: boolean;
}

/** What retention judges a subject by: plain, non-identifying columns only. */
export interface RetentionSubjectRow {
  id: string;
  status: 'active' | 'restricted';
  createdAt: Date;
  lastActivityAt: Date;
}

export interface SubjectWithKey {
  subject: Subject;
  key: SubjectKey | null;
}

/** The SQL of the subjects module; one method per intention. Writes take the caller's manager. */
@Injectable()
export class SubjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Who holds these blind indexes: one index scan whatever the number of values. */
  async findOwners(kind: IdentifierKind, indexes: Buffer[], m?: EntityManager): Promise<IdentifierOwner[]> {
    if (!indexes.length) return [];
    const rows = (await (m ?? this.dataSource).query(
      `SELECT blind_index, system_key, subject_id FROM subject_identifiers
        WHERE kind = $1 AND blind_index = ANY($2::bytea[])`,
      [kind, indexes],
    )) as { blind_index: Buffer; system_key: string; subject_id: string }[];
    return rows.map((r) => ({ blindIndex: r.blind_index, systemKey: r.system_key, subjectId: r.subject_id }));
  }

  /** The surviving id for each known id (itself unless merged). */
  async resolve(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT id, COALESCE(merged_into, id) AS survivor FROM subjects WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; survivor: string }[];
    return new Map(rows.map((r) => [r.id, r.survivor]));
  }

  /** Survivors' facts, keyed by the id asked for: a merged id answers with its survivor's state. */
  async decisionFacts(ids: string[]): Promise<DecisionFactsRow[]> {
    if (!ids.length) return [];
    return (await this.dataSource.query(
      `SELECT s.id, COALESCE(v.status, s.status) AS status,
              COALESCE(v.minor_until, s.minor_until)::text AS minor_until,
              COALESCE(v.objected_direct_marketing_at, s.objected_direct_marketing_at) IS NOT NULL AS objected
         FROM subjects s LEFT JOIN subjects v ON v.id = s.merged_into
        WHERE s.id = ANY($1::uuid[])`,
      [ids],
    )) as DecisionFactsRow[];
  }

  async insertSubject(m: EntityManager, subject: Partial<Subject>, key: Partial<SubjectKey>): Promise<void> {
    await m.getRepository(Subject).insert(subject as never);
    await m.getRepository(SubjectKey).insert(key as never);
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

  /** Locks the subject row for a write; concurrent writers to the same subject queue here. */
  lockSubject(m: EntityManager, id: string): Promise<Subject | null> {
    return m.getRepository(Subject).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * FOR KEY SHARE: many writers of one subject's consents run side by side, but a merge or an erasure
   * (FOR UPDATE) waits for them, and they for it.
   */
  async keyShareLock(
    m: EntityManager,
    id: string,
  ): Promise<{ id: string; merged_into: string | null; status: SubjectStatus } | null> {
    const rows = (await m.query('SELECT id, merged_into, status FROM subjects WHERE id = $1 FOR KEY SHARE', [id])) as {
      id: string;
      merged_into: string | null;
      status: SubjectStatus;
    }[];
    return rows[0] ?? null;
  }

  /** Locks several subjects in id order, so two merges of the same pair cannot deadlock. */
  async lockSubjects(m: EntityManager, ids: string[]): Promise<Map<string, Subject>> {
    const rows = await m
      .getRepository(Subject)
      .createQueryBuilder('s')
      .where('s.id IN (:...ids)', { ids })
      .orderBy('s.id')
      .setLock('pessimistic_write')
      .getMany();
    return new Map(rows.map((r) => [r.id, r]));
  }

  findSubject(id: string, m?: EntityManager): Promise<Subject | null> {
    return (m ?? this.dataSource.manager).getRepository(Subject).findOne({ where: { id } });
  }

  findKey(subjectId: string, m?: EntityManager): Promise<SubjectKey | null> {
    return (m ?? this.dataSource.manager).getRepository(SubjectKey).findOne({ where: { subjectId } });
  }

  async findWithKey(id: string): Promise<SubjectWithKey | null> {
    const subject = await this.findSubject(id);
    if (!subject) return null;
    return { subject, key: await this.findKey(id) };
  }

  /** Several subjects with their keys, for batch reads (the audience stream): two queries whatever the count. */
  async findManyWithKeys(ids: string[]): Promise<Map<string, SubjectWithKey>> {
    if (!ids.length) return new Map();
    const [subjects, keys] = await Promise.all([
      this.dataSource.getRepository(Subject).find({ where: { id: In(ids) } }),
      this.dataSource.getRepository(SubjectKey).find({ where: { subjectId: In(ids) } }),
    ]);
    const byId = new Map(keys.map((k) => [k.subjectId, k]));
    return new Map(subjects.map((s) => [s.id, { subject: s, key: byId.get(s.id) ?? null }]));
  }

  /** E-mail and phone identifiers of several subjects, in the order `identifiersOf` gives them. */
  contactIdentifiersOf(subjectIds: string[]): Promise<SubjectIdentifier[]> {
    if (!subjectIds.length) return Promise.resolve([]);
    return this.dataSource.getRepository(SubjectIdentifier).find({
      where: { subjectId: In(subjectIds), kind: In(['email', 'phone']) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** For ids of merged records, the survivor; one query. */
  async survivorsOf(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT id, COALESCE(merged_into, id) AS survivor FROM subjects WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; survivor: string }[];
    return new Map(rows.map((r) => [r.id, r.survivor]));
  }

  identifiersOf(subjectId: string, m?: EntityManager): Promise<SubjectIdentifier[]> {
    return (m ?? this.dataSource.manager)
      .getRepository(SubjectIdentifier)
      .find({ where: { subjectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Ids of the records merged into this survivor. */
  async mergedInto(survivorId: string, m?: EntityManager): Promise<string[]> {
    const rows = await (m ?? this.dataSource.manager)
      .getRepository(Subject)
      .find({ where: { mergedInto: survivorId }, select: { id: true }, order: { id: 'ASC' } });
    return rows.map((r) => r.id);
  }

  async updateSubject(m: EntityManager, id: string, changes: Partial<Subject>): Promise<void> {
    await m.getRepository(Subject).update(id, { ...changes, updatedAt: new Date() } as never);
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

  async deleteKey(m: EntityManager, subjectId: string): Promise<void> {
    await m.getRepository(SubjectKey).delete({ subjectId });
  }

  /** Flattens merge chains: records merged into `from` now point at `to` directly. */
  async repointMerged(m: EntityManager, from: string, to: string): Promise<void> {
    await m.getRepository(Subject).update({ mergedInto: from }, { mergedInto: to });
  }

  async addSuppressions(m: EntityManager, rows: { kind: IdentifierKind; hash: string }[]): Promise<number> {
    if (!rows.length) return 0;
    const inserted = (await m.query(
      `INSERT INTO subject_suppressions (kind, hash)
       SELECT * FROM unnest($1::text[], $2::char(64)[]) ON CONFLICT DO NOTHING RETURNING hash`,
      [rows.map((r) => r.kind), rows.map((r) => r.hash)],
    )) as unknown[];
    return inserted.length;
  }

  async suppressedHashes(kind: IdentifierKind, hashes: string[]): Promise<Set<string>> {
    if (!hashes.length) return new Set();
    const rows = (await this.dataSource.query(
      `SELECT hash FROM subject_suppressions WHERE kind = $1 AND hash = ANY($2::char(64)[])`,
      [kind, hashes],
    )) as { hash: string }[];
    return new Set(rows.map((r) => r.hash));
  }

  /**
   * Moves last activity forward, never back (a late-arriving event must not shorten retention), and
   * drops a `minor_until` that has passed. Returns false when the subject is unknown or nothing moved.
   */
  async touchActivity(m: EntityManager, id: string, at: Date): Promise<boolean> {
    const rows = (await m.query(
      `UPDATE subjects SET last_activity_at = $2,
              minor_until = CASE WHEN minor_until <= $2::date THEN NULL ELSE minor_until END
        WHERE id = $1 AND status <> 'erased' AND last_activity_at < $2
        RETURNING id`,
      [id, at],
    )) as [unknown[], number];
    return rows[1] > 0;
  }

  /**
   * For breach selection: live subjects whose record already existed at `to`. `from` does not narrow it:
   * anyone on record before the breach ended was in the breached data, however long ago they were last
   * active, and those erased since have no one left to notify.
   */
  async idsExistingBetween(_from: Date, to: Date, afterId: string | undefined, limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM subjects
        WHERE merged_into IS NULL AND status <> 'erased' AND created_at <= $1
          AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [to, afterId ?? null, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Retention: live records (not erased, not merged away) after `afterId`, in id order (keyset). */
  async forRetention(afterId: string | null, limit: number): Promise<RetentionSubjectRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, status, created_at, last_activity_at FROM subjects
        WHERE ($1::uuid IS NULL OR id > $1) AND merged_into IS NULL AND status <> 'erased'
        ORDER BY id LIMIT $2`,
      [afterId, limit],
    )) as { id: string; status: 'active' | 'restricted'; created_at: Date; last_activity_at: Date }[];
    return rows.map(retentionRow);
  }

  /** The same rows for these ids, locked in id order for the caller's transaction (as merges lock). */
  async lockForRetention(m: EntityManager, ids: string[]): Promise<RetentionSubjectRow[]> {
    if (!ids.length) return [];
    const rows = (await m.query(
      `SELECT id, status, created_at, last_activity_at FROM subjects
        WHERE id = ANY($1::uuid[]) AND merged_into IS NULL AND status <> 'erased'
        ORDER BY id FOR UPDATE`,
      [ids],
    )) as { id: string; status: 'active' | 'restricted'; created_at: Date; last_activity_at: Date }[];
    return rows.map(retentionRow);
  }

  /** Of these subjects, those under an active legal hold: one query for a whole batch. */
  async activeHoldIds(ids: string[], m?: EntityManager): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = (await (m ?? this.dataSource).query(
      `SELECT DISTINCT subject_id FROM subject_holds
        WHERE subject_id = ANY($1::uuid[]) AND released_at IS NULL AND (ends_at IS NULL OR ends_at > now())`,
      [ids],
    )) as { subject_id: string }[];
    return new Set(rows.map((r) => r.subject_id));
  }

  holdsOf(subjectId: string, m?: EntityManager): Promise<SubjectHold[]> {
    return (m ?? this.dataSource.manager)
      .getRepository(SubjectHold)
      .find({ where: { subjectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async hasActiveHold(subjectId: string, m?: EntityManager): Promise<boolean> {
    const rows = (await (m ?? this.dataSource).query(
      `SELECT 1 FROM subject_holds
        WHERE subject_id = $1 AND released_at IS NULL AND (ends_at IS NULL OR ends_at > now()) LIMIT 1`,
      [subjectId],
    )) as unknown[];
    return rows.length > 0;
  }

  async insertHold(m: EntityManager, hold: Partial<SubjectHold>): Promise<void> {
    await m.getRepository(SubjectHold).insert(hold as never);
  }

  findHold(m: EntityManager, subjectId: string, id: string): Promise<SubjectHold | null> {
    return m.getRepository(SubjectHold).findOne({ where: { id, subjectId }, lock: { mode: 'pessimistic_write' } });
  }

  async releaseHold(m: EntityManager, id: string, by: string): Promise<void> {
    await m.getRepository(SubjectHold).update(id, { releasedAt: new Date(), releasedBy: by });
  }

  async moveHolds(m: EntityManager, fromId: string, toId: string): Promise<SubjectHold[]> {
    const holds = await this.holdsOf(fromId, m);
    await m.getRepository(SubjectHold).update({ subjectId: fromId }, { subjectId: toId });
    return holds;
  }

  async updateHoldReason(m: EntityManager, id: string, reasonEnc: Buffer | null): Promise<void> {
    await m.getRepository(SubjectHold).update(id, { reasonEnc });
  }

  async clearHoldReasons(m: EntityManager, subjectId: string): Promise<void> {
    await m.getRepository(SubjectHold).update({ subjectId }, { reasonEnc: null });
  }
}

const retentionRow = (r: {
  id: string;
  status: 'active' | 'restricted';
  created_at: Date;
  last_activity_at: Date;
}): RetentionSubjectRow => ({
  id: r.id,
  status: r.status,
  createdAt: r.created_at,
  lastActivityAt: r.last_activity_at,
});
