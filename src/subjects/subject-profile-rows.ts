import { SubjectHold } from './subject-hold.entity';
import { SubjectIdentifier } from './subject-identifier.entity';
import { ProfileRow } from './subject-profiles.repository';
import { Subject } from './subject.entity';

// Plain objects in the entities' shapes, from the columns and JSON of SubjectProfilesRepository.profileRows.
const fromBase64 = (v: string | null) => (v === null ? null : Buffer.from(v, 'base64'));
const dateOrNull = (v: string | null) => (v === null ? null : new Date(v));

export function profileSubject(r: ProfileRow): Subject {
  return {
    id: r.id,
    status: r.status,
    firstNameEnc: r.first_name_enc,
    lastNameEnc: r.last_name_enc,
    birthDateEnc: r.birth_date_enc,
    localeEnc: r.locale_enc,
    minorUntil: r.minor_until,
    restrictionReason: r.restriction_reason,
    restrictedAt: r.restricted_at,
    restrictionLiftNoticeId: r.restriction_lift_notice_id,
    restrictionLiftRequestedAt: r.restriction_lift_requested_at,
    objectedDirectMarketingAt: r.objected_direct_marketing_at,
    objectedPurposes: r.objected_purposes,
    mergedInto: null,
    mergedAt: null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastActivityAt: r.last_activity_at,
    erasedAt: r.erased_at,
  } as Subject;
}

export const profileIdentifier = (i: NonNullable<ProfileRow['identifiers']>[number]) =>
  ({
    id: i.id,
    kind: i.kind,
    systemKey: i.systemKey,
    isPrimary: i.isPrimary,
    valueEnc: fromBase64(i.valueEnc)!,
  }) as SubjectIdentifier;

export const profileHold = (h: NonNullable<ProfileRow['holds']>[number]) =>
  ({
    id: h.id,
    reasonEnc: fromBase64(h.reasonEnc),
    legalBasis: h.legalBasis,
    categories: h.categories,
    endsAt: dateOrNull(h.endsAt),
    createdAt: new Date(h.createdAt),
    createdBy: h.createdBy,
    releasedAt: dateOrNull(h.releasedAt),
    releasedBy: h.releasedBy,
  }) as SubjectHold;
