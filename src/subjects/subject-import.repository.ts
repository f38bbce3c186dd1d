import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SubjectStatus } from './subject.entity';
import { NewIdentifierRow, NewSubjectRow } from './subjects.repository';

export interface LockedSubjectRow {
  id: string;
  merged_into: string | null;
  status: SubjectStatus;
  minor_until: string | null;
  objected: boolean;
}

/** The statements of an import's batch: many subjects created, and locked, a constant number of statements each. */
@Injectable()
export class SubjectImportRepository {
  /**
   * New subjects with their keys and identifiers. Identifiers another subject holds are skipped (ON CONFLICT
   * waits for a concurrent creation of the same one to finish) and left out of the ids returned.
   */
  async insertNewSubjects(
    m: EntityManager,
    subjects: NewSubjectRow[],
    identifiers: (NewIdentifierRow & { subjectId: string })[],
  ): Promise<Set<string>> {
    if (!subjects.length) return new Set();
    await m.query(
      `INSERT INTO subjects (id, status, first_name_enc, last_name_enc, birth_date_enc, locale_enc, minor_until,
                             created_at, updated_at, last_activity_at)
       SELECT u.id, 'active', u.first_name, u.last_name, u.birth_date, u.locale, u.minor_until, u.at, u.at, u.at
         FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[], $6::date[], $7::timestamptz[])
              AS u (id, first_name, last_name, birth_date, locale, minor_until, at)`,
      [
        subjects.map((s) => s.id),
        subjects.map((s) => s.firstNameEnc),
        subjects.map((s) => s.lastNameEnc),
        subjects.map((s) => s.birthDateEnc),
        subjects.map((s) => s.localeEnc),
        subjects.map((s) => s.minorUntil),
        subjects.map((s) => s.createdAt),
      ],
    );
    await m.query(
      `INSERT INTO subject_keys (subject_id, wrapped_key, key_version)
       SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::int[])`,
      [subjects.map((s) => s.id), subjects.map((s) => s.wrappedKey), subjects.map((s) => s.keyVersion)],
    );
    const rows = (await m.query(
      `INSERT INTO subject_identifiers (id, subject_id, kind, system_key, blind_index, value_enc, is_primary)
       SELECT u.id, u.subject_id, u.kind, u.system_key, u.blind_index, u.value_enc, true
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bytea[], $6::bytea[])
              AS u (id, subject_id, kind, system_key, blind_index, value_enc)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        identifiers.map((i) => i.id),
        identifiers.map((i) => i.subjectId),
        identifiers.map((i) => i.kind),
        identifiers.map((i) => i.systemKey),
        identifiers.map((i) => i.blindIndex),
        identifiers.map((i) => i.valueEnc),
      ],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /**
   * FOR KEY SHARE in id order, as a live consent write locks its one subject: merges and erasures wait for the
   * batch, and two batches never deadlock. With the facts a consent decision needs. One primary-key probe per id,
   * in the order given (LATERAL): `id = ANY(...)` of a batch let the planner, without statistics while an import
   * fills the table, scan all subjects.
   */
  lockForConsent(m: EntityManager, ids: string[]): Promise<LockedSubjectRow[]> {
    if (!ids.length) return Promise.resolve([]);
    // uuid order is the byte order of their lower-case text.
    const sorted = [...new Set(ids.map((id) => id.toLowerCase()))].sort();
    return m.query(
      `SELECT s.* FROM unnest($1::uuid[]) WITH ORDINALITY AS g (id, n)
         CROSS JOIN LATERAL (
           SELECT id, merged_into, status, minor_until::text AS minor_until,
                  objected_direct_marketing_at IS NOT NULL AS objected
             FROM subjects WHERE id = g.id FOR KEY SHARE
         ) s
        ORDER BY g.n`,
      [sorted],
    ) as Promise<LockedSubjectRow[]>;
  }
}
