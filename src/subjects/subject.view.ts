import type { DecryptedHold, SubjectProfile } from './subject-reader.service';
import type { HoldResponse, SubjectResponse } from './subjects.responses';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function holdView(h: DecryptedHold): HoldResponse {
  return {
    id: h.id,
    reason: h.reason,
    legalBasis: h.legalBasis,
    categories: h.categories,
    until: iso(h.endsAt),
    endsAt: iso(h.endsAt),
    active: h.active,
    createdAt: h.createdAt.toISOString(),
    createdBy: h.createdBy,
    releasedAt: iso(h.releasedAt),
    releasedBy: h.releasedBy,
  };
}

/**
 * The subject as staff see it. Asked for by the id of a record merged into another, it is the
 * survivor's view with `mergedInto` naming the survivor and `requestedId` the id asked for.
 */
export function subjectView(p: SubjectProfile, requestedId: string = p.id): SubjectResponse {
  const merged = requestedId !== p.id;
  return {
    id: p.id,
    ...(merged ? { requestedId } : {}),
    mergedInto: merged ? p.id : null,
    status: p.status,
    email: p.email,
    phone: p.phone,
    externalId: p.externalId,
    identifiers: p.identifiers.map((i) => ({ kind: i.kind, value: i.value, system: i.system, primary: i.primary })),
    firstName: p.firstName,
    lastName: p.lastName,
    birthDate: p.birthDate,
    locale: p.locale,
    restriction: p.restriction
      ? {
          reason: p.restriction.reason,
          since: p.restriction.since.toISOString(),
          liftNotice: p.restriction.liftNotice
            ? { id: p.restriction.liftNotice.id, requestedAt: p.restriction.liftNotice.requestedAt.toISOString() }
            : null,
        }
      : null,
    objections: {
      directMarketingSince: iso(p.objections.directMarketingSince),
      purposes: p.objections.purposes,
    },
    holds: p.holds.map(holdView),
    onHold: p.holds.some((h) => h.active),
    mergedIds: p.mergedIds,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    lastActivityAt: p.lastActivityAt.toISOString(),
    erasedAt: iso(p.erasedAt),
  };
}
