import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { Subject, SubjectStatus } from './subject.entity';

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

export interface NewSubjectRow {
  id: string;
  firstNameEnc: Buffer | null;
  lastNameEnc: Buffer | null;
  birthDateEnc: Buffer | null;
  localeEnc: Buffer | null;
  minorUntil: string | null;
  createdAt: Date;
  wrappedKey: Buffer;
  keyVersion: number;
}

export interface NewIdentifierRow {
  id: string;
  kind: IdentifierKind;
  systemKey: string;
  blindIndex: Buffer;
  valueEnc: Buffer;
}

/** A named (prepared) statement on TypeORM's pg pool: parsed and planned once per connection. */
export async function namedQuery<T>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query({ name, text, values })).rows as T[];
}

/** The SQL of the `subjects` rows; one method per intention. Writes take the caller's manager. */
export interface SubjectResidueRow {
  status: 'active' | 'restricted' | 'erased';
  data_key: boolean;
  identifiers: number;
  encrypted_fields: number;
  hold_reasons: number;
}

@Injectable()
export class SubjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

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

  /**
   * A new subject, its key and its identifiers in one statement (one round trip where three took
   * three). Identifiers another subject already holds are skipped, as `insertIdentifiers` does, and
   * their ids left out of the result.
   */
  async insertNewSubject(m: EntityManager, s: NewSubjectRow, identifiers: NewIdentifierRow[]): Promise<Set<string>> {
    const rows = (await m.query(
      `WITH s AS (
         INSERT INTO subjects (id, status, first_name_enc, last_name_enc, birth_date_enc, locale_enc, minor_until,
                               created_at, updated_at, last_activity_at)
         VALUES ($1, 'active', $2, $3, $4, $5, $6, $7, $7, $7) RETURNING id
       ), k AS (
         INSERT INTO subject_keys (subject_id, wrapped_key, key_version) SELECT id, $8, $9 FROM s RETURNING subject_id
       )
       INSERT INTO subject_identifiers (id, subject_id, kind, system_key, blind_index, value_enc, is_primary)
       SELECT u.id, k.subject_id, u.kind, u.system_key, u.blind_index, u.value_enc, true
         FROM k, unnest($10::uuid[], $11::text[], $12::text[], $13::bytea[], $14::bytea[])
                 AS u (id, kind, system_key, blind_index, value_enc)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        s.id,
        s.firstNameEnc,
        s.lastNameEnc,
        s.birthDateEnc,
        s.localeEnc,
        s.minorUntil,
        s.createdAt,
        s.wrappedKey,
        s.keyVersion,
        identifiers.map((i) => i.id),
        identifiers.map((i) => i.kind),
        identifiers.map((i) => i.systemKey),
        identifiers.map((i) => i.blindIndex),
        identifiers.map((i) => i.valueEnc),
      ],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
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

  /** Flattens merge chains: records merged into `from` now point at `to` directly. */
  /** What is left of a subject in the store (an erasure certificate's residue check): counts, no values. */
  async residue(id: string): Promise<SubjectResidueRow | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT s.status,
              EXISTS (SELECT 1 FROM subject_keys k WHERE k.subject_id = s.id) AS data_key,
              (SELECT count(*)::int FROM subject_identifiers i WHERE i.subject_id = s.id) AS identifiers,
              (s.first_name_enc IS NOT NULL)::int + (s.last_name_enc IS NOT NULL)::int
                + (s.birth_date_enc IS NOT NULL)::int + (s.locale_enc IS NOT NULL)::int AS encrypted_fields,
              (SELECT count(*)::int FROM subject_holds h WHERE h.subject_id = s.id AND h.reason_enc IS NOT NULL)
                AS hold_reasons
         FROM subjects s WHERE s.id = $1`,
      [id],
    )) as SubjectResidueRow[];
    return rows[0];
  }

  async repointMerged(m: EntityManager, from: string, to: string): Promise<void> {
    await m.getRepository(Subject).update({ mergedInto: from }, { mergedInto: to });
  }

  /**
   * Crypto-shredding of survivors already locked and judged (SubjectBatchErasure): identifiers (blind
   * indexes with them), data keys and hold reasons go, the personal columns are cleared, status `erased`.
   * Four statements whatever the count.
   */
  async shred(m: EntityManager, ids: string[], at: Date): Promise<void> {
    if (!ids.length) return;
    await m.query('DELETE FROM subject_identifiers WHERE subject_id = ANY($1::uuid[])', [ids]);
    await m.query('DELETE FROM subject_entries WHERE subject_id = ANY($1::uuid[])', [ids]);
    await m.query('DELETE FROM subject_keys WHERE subject_id = ANY($1::uuid[])', [ids]);
    await m.query('UPDATE subject_holds SET reason_enc = NULL WHERE subject_id = ANY($1::uuid[])', [ids]);
    await m.query(
      `UPDATE subjects SET status = 'erased', erased_at = $2, updated_at = $2, first_name_enc = NULL,
              last_name_enc = NULL, birth_date_enc = NULL, locale_enc = NULL, minor_until = NULL,
              restriction_reason = NULL, restricted_at = NULL
        WHERE id = ANY($1::uuid[])`,
      [ids, at],
    );
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
  /**
   * Records held at some time in [from, to]: created by `to` and not erased before `from` (one erased since
   * counts, it was held when the breach happened). With `systems`, only subjects holding an identifier of one
   * of those systems. Keyset by id.
   */
  async idsHeldBetween(
    from: Date,
    to: Date,
    systems: string[] | null,
    afterId: string | undefined,
    limit: number,
  ): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT s.id FROM subjects s
        WHERE s.merged_into IS NULL AND s.created_at <= $1 AND (s.erased_at IS NULL OR s.erased_at >= $2)
          AND ($3::text[] IS NULL OR EXISTS (
                SELECT 1 FROM subject_identifiers i WHERE i.subject_id = s.id AND i.system_key = ANY($3::text[])))
          AND ($4::uuid IS NULL OR s.id > $4)
        ORDER BY s.id LIMIT $5`,
      [to, from, systems, afterId ?? null, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Of these system keys, those some subject holds an identifier of (Zgoda knows who lives there). */
  async systemsWithSubjects(systems: string[]): Promise<Set<string>> {
    if (!systems.length) return new Set();
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT system_key FROM subject_identifiers WHERE system_key = ANY($1::text[])`,
      [systems],
    )) as { system_key: string }[];
    return new Set(rows.map((r) => r.system_key));
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
