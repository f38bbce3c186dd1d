import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
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

export interface ContactRow {
  given: string;
  id: string;
  locale_enc: Buffer | null;
  first_name_enc: Buffer | null;
  wrapped_key: Buffer;
  key_version: number;
  kind: 'email' | 'phone' | null;
  identifier_id: string | null;
  value_enc: Buffer | null;
}

// Per subject, its first e-mail and first phone in identifiersOf order (oldest first), the primary one
// preferred: a row for each, or one with null identifier columns. The subject lookup sits behind
// OFFSET 0 so it stays one primary-key probe per id, never a scan of the whole table.
const contactRowsSql = (profile: boolean) => `
  SELECT g.id::text AS given, s.id,
         ${profile ? 's.locale_enc, s.first_name_enc' : 'NULL::bytea AS locale_enc, NULL::bytea AS first_name_enc'},
         k.wrapped_key, k.key_version,
         c.kind, c.id AS identifier_id, c.value_enc
    FROM unnest($1::uuid[]) AS g (id)
    CROSS JOIN LATERAL (SELECT COALESCE(m.merged_into, m.id) AS id FROM subjects m WHERE m.id = g.id OFFSET 0) r
    JOIN subjects s ON s.id = r.id
    JOIN subject_keys k ON k.subject_id = s.id
    LEFT JOIN LATERAL (
      SELECT DISTINCT ON (i.kind) i.kind, i.id, i.value_enc FROM subject_identifiers i
       WHERE i.subject_id = s.id AND i.kind IN ('email', 'phone')
       ORDER BY i.kind, i.is_primary DESC, i.created_at, i.id
    ) c ON true
   WHERE s.status <> 'erased'`;

export interface ProfileRow {
  given: string;
  id: string;
  status: SubjectStatus;
  first_name_enc: Buffer | null;
  last_name_enc: Buffer | null;
  birth_date_enc: Buffer | null;
  locale_enc: Buffer | null;
  minor_until: string | null;
  restriction_reason: string | null;
  restricted_at: Date | null;
  objected_direct_marketing_at: Date | null;
  objected_purposes: string[];
  created_at: Date;
  updated_at: Date;
  last_activity_at: Date;
  erased_at: Date | null;
  wrapped_key: Buffer | null;
  key_version: number | null;
  /** In identifiersOf order; bytea as base64 (JSON has no bytes). */
  identifiers: { id: string; kind: IdentifierKind; systemKey: string; isPrimary: boolean; valueEnc: string }[] | null;
  /** In holdsOf order; timestamps as JSON gives them (ISO 8601). */
  holds:
    | {
        id: string;
        reasonEnc: string | null;
        endsAt: string | null;
        createdAt: string;
        createdBy: string;
        releasedAt: string | null;
        releasedBy: string | null;
      }[]
    | null;
  merged_ids: string[];
}

// A subject's whole record for its profile in one statement (the survivor's when the id was merged):
// the row, its key, identifiers and holds as JSON arrays, and the ids merged into it.
const profileRowsSql = (given: string) => `
  SELECT g.id::text AS given, s.id, s.status, s.first_name_enc, s.last_name_enc, s.birth_date_enc, s.locale_enc,
         s.minor_until::text AS minor_until, s.restriction_reason, s.restricted_at,
         s.objected_direct_marketing_at, s.objected_purposes, s.created_at, s.updated_at, s.last_activity_at,
         s.erased_at, k.wrapped_key, k.key_version,
         (SELECT json_agg(json_build_object('id', i.id, 'kind', i.kind, 'systemKey', i.system_key,
                                            'isPrimary', i.is_primary, 'valueEnc', encode(i.value_enc, 'base64'))
                          ORDER BY i.created_at, i.id)
            FROM subject_identifiers i WHERE i.subject_id = s.id) AS identifiers,
         (SELECT json_agg(json_build_object('id', h.id, 'reasonEnc', encode(h.reason_enc, 'base64'),
                                            'endsAt', h.ends_at, 'createdAt', h.created_at,
                                            'createdBy', h.created_by, 'releasedAt', h.released_at,
                                            'releasedBy', h.released_by)
                          ORDER BY h.created_at, h.id)
            FROM subject_holds h WHERE h.subject_id = s.id) AS holds,
         ARRAY(SELECT m.id::text FROM subjects m WHERE m.merged_into = s.id ORDER BY m.id) AS merged_ids
    FROM ${given}
    CROSS JOIN LATERAL (SELECT COALESCE(x.merged_into, x.id) AS id FROM subjects x WHERE x.id = g.id OFFSET 0) r
    JOIN subjects s ON s.id = r.id
    LEFT JOIN subject_keys k ON k.subject_id = s.id`;

const PROFILE_ROWS_SQL = profileRowsSql('unnest($1::uuid[]) AS g (id)');

// A lookup by identifier in the same statement: the holders of blind index $2 of kind $1 (within
// system $3 when given), at most $4 of them. Identifiers move to the survivor on merge, so holders
// are live records.
const PROFILE_ROWS_BY_INDEX_SQL = profileRowsSql(`(
      SELECT DISTINCT subject_id AS id FROM subject_identifiers
       WHERE kind = $1 AND blind_index = $2 AND ($3::text IS NULL OR system_key = $3)
       ORDER BY subject_id LIMIT $4
    ) AS g`);

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

const CONTACT_ROWS_SQL = contactRowsSql(true);
// E-mail and phone only (the audience stream): no locale or name read, none decrypted.
const CONTACT_ADDRESSES_SQL = contactRowsSql(false);

/** The SQL of the subjects module; one method per intention. Writes take the caller's manager. */
@Injectable()
export class SubjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Who holds these blind indexes: one index scan whatever the number of values. */
  async findOwners(kind: IdentifierKind, indexes: Buffer[], m?: EntityManager): Promise<IdentifierOwner[]> {
    if (!indexes.length) return [];
    const sql = `SELECT blind_index, system_key, subject_id FROM subject_identifiers
        WHERE kind = $1 AND blind_index = ANY($2::bytea[])`;
    // Outside a transaction (lookups), a named statement: this runs on every GET /v1/subjects?email=.
    const rows = (
      m ? await m.query(sql, [kind, indexes]) : await this.named('zgoda_identifier_owners', sql, [kind, indexes])
    ) as { blind_index: Buffer; system_key: string; subject_id: string }[];
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

  /** Profiles' raw material for the holders of an identifier's blind index (a lookup, one statement). */
  profileRowsByIndex(kind: IdentifierKind, index: Buffer, system: string | null, limit: number): Promise<ProfileRow[]> {
    return this.named<ProfileRow>('zgoda_profile_rows_by_index', PROFILE_ROWS_BY_INDEX_SQL, [
      kind,
      index,
      system,
      limit,
    ]);
  }

  /** Profiles' raw material for these ids (unknown ones give no row); see PROFILE_ROWS_SQL. */
  async profileRows(ids: string[]): Promise<ProfileRow[]> {
    if (!ids.length) return [];
    return this.named<ProfileRow>('zgoda_profile_rows', PROFILE_ROWS_SQL, [ids]);
  }

  /** A named (prepared) statement on TypeORM's pg pool: parsed and planned once per connection. */
  private async named<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    return (await pool.query({ name, text, values })).rows as T[];
  }

  /**
   * What `SubjectReader.contact` decrypts, for many subjects in one statement: keyed by the id given
   * (`given`, a merged id answering with its survivor), with the survivor's key and its primary (else
   * first) e-mail and phone. Erased subjects and those without a key give no row.
   */
  async contactRows(ids: string[], addressesOnly = false): Promise<ContactRow[]> {
    if (!ids.length) return [];
    return addressesOnly
      ? this.named<ContactRow>('zgoda_contact_addresses', CONTACT_ADDRESSES_SQL, [ids])
      : this.named<ContactRow>('zgoda_contact_rows', CONTACT_ROWS_SQL, [ids]);
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

  /**
   * Crypto-shredding of survivors already locked and judged (SubjectBatchErasure): identifiers (blind
   * indexes with them), data keys and hold reasons go, the personal columns are cleared, status `erased`.
   * Four statements whatever the count.
   */
  async shred(m: EntityManager, ids: string[], at: Date): Promise<void> {
    if (!ids.length) return;
    await m.query('DELETE FROM subject_identifiers WHERE subject_id = ANY($1::uuid[])', [ids]);
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
