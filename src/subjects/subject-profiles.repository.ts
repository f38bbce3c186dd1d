import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IdentifierKind } from '../common/identifiers/normalise';
import type { HoldBasis } from './subject-rules';
import { SubjectStatus } from './subject.entity';
import { namedQuery } from './subjects.repository';

export type ContactKind = 'email' | 'phone' | 'external_id';

export interface ContactRow {
  given: string;
  id: string;
  locale_enc: Buffer | null;
  first_name_enc: Buffer | null;
  wrapped_key: Buffer;
  key_version: number;
  kind: 'email' | 'phone' | 'external_id' | null;
  identifier_id: string | null;
  value_enc: Buffer | null;
}

// Per subject, its first identifier of each kind asked for ($2: e-mail, phone, and the unscoped external id,
// the one the company's own tools know it by) in identifiersOf order (oldest first), the primary one
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
       WHERE i.subject_id = s.id AND i.kind = ANY($2::text[]) AND (i.kind <> 'external_id' OR i.system_key = '')
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
  restriction_lift_notice_id: string | null;
  restriction_lift_requested_at: Date | null;
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
        legalBasis: HoldBasis | null;
        categories: string[];
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
         s.restriction_lift_notice_id, s.restriction_lift_requested_at,
         s.objected_direct_marketing_at, s.objected_purposes, s.created_at, s.updated_at, s.last_activity_at,
         s.erased_at, k.wrapped_key, k.key_version,
         (SELECT json_agg(json_build_object('id', i.id, 'kind', i.kind, 'systemKey', i.system_key,
                                            'isPrimary', i.is_primary, 'valueEnc', encode(i.value_enc, 'base64'))
                          ORDER BY i.created_at, i.id)
            FROM subject_identifiers i WHERE i.subject_id = s.id) AS identifiers,
         (SELECT json_agg(json_build_object('id', h.id, 'reasonEnc', encode(h.reason_enc, 'base64'),
                                            'legalBasis', h.legal_basis, 'categories', h.categories,
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

const CONTACT_ROWS_SQL = contactRowsSql(true);
// Identifiers only (the audience stream, the change feed): no locale or name read, none decrypted.
const CONTACT_ADDRESSES_SQL = contactRowsSql(false);

/** The read model of profiles and contacts: a subject with its key, identifiers and holds in one statement. */
@Injectable()
export class SubjectProfilesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Profiles' raw material for the holders of an identifier's blind index (a lookup, one statement). */
  profileRowsByIndex(kind: IdentifierKind, index: Buffer, system: string | null, limit: number): Promise<ProfileRow[]> {
    return namedQuery<ProfileRow>(this.dataSource, 'zgoda_profile_rows_by_index', PROFILE_ROWS_BY_INDEX_SQL, [
      kind,
      index,
      system,
      limit,
    ]);
  }

  /** Profiles' raw material for these ids (unknown ones give no row); see PROFILE_ROWS_SQL. */
  async profileRows(ids: string[]): Promise<ProfileRow[]> {
    if (!ids.length) return [];
    return namedQuery<ProfileRow>(this.dataSource, 'zgoda_profile_rows', PROFILE_ROWS_SQL, [ids]);
  }

  /**
   * What `SubjectReader.contact` decrypts, for many subjects in one statement: keyed by the id given
   * (`given`, a merged id answering with its survivor), with the survivor's key and its primary (else
   * first) identifier of each of `kinds`. Erased subjects and those without a key give no row.
   */
  async contactRows(ids: string[], addressesOnly: boolean, kinds: ContactKind[]): Promise<ContactRow[]> {
    if (!ids.length) return [];
    return addressesOnly
      ? namedQuery<ContactRow>(this.dataSource, 'zgoda_contact_addresses', CONTACT_ADDRESSES_SQL, [ids, kinds])
      : namedQuery<ContactRow>(this.dataSource, 'zgoda_contact_rows', CONTACT_ROWS_SQL, [ids, kinds]);
  }
}
