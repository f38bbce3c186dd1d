import { CompactSign } from 'jose';
import type { RetainedCategory } from '../request-task.entity';
import type { ActiveKey } from './signing-keys.service';

export interface CertificateInput {
  issuer: string;
  controller: string;
  requestId: string;
  subjectId: string | null;
  receivedAt: Date;
  completedAt: Date;
  resolution: string;
  /** Zgoda's own store checked after the erasure (null: the request named nobody Zgoda knows). */
  residue: {
    checkedAt: Date;
    dataKey: boolean;
    identifiers: number;
    encryptedFields: number;
    holdReasons: number;
    consentEvidence: number;
    suppressedIdentifiers: number;
  } | null;
  systems: {
    key: string;
    /** `internal` is Zgoda's own store. */
    kind: string;
    status: string;
    found: boolean | null;
    completedAt: Date | null;
    retainedReason: string | null;
    retainedUntil: Date | null;
    /** The system's data categories when the request was planned. */
    categories: string[];
    /** Those kept under a legal hold (Art. 17(3)), with ground and end; null: none. */
    retainedCategories: RetainedCategory[] | null;
  }[];
  /** The erasure whose held data this one erased after the hold ended. */
  follows?: string | null;
}

export type SystemOutcome = 'erased' | 'retained' | 'not_found' | 'failed';
/**
 * Per data category. `restricted_until_hold_ends`: Zgoda's own record, not itself held, kept restricted only as the
 * index the follow-up erasure uses once the hold on another category ends.
 */
export type CategoryOutcome = SystemOutcome | 'restricted_until_hold_ends';

export interface CategoryLine {
  category: string;
  outcome: CategoryOutcome;
  legalBasis?: string | null;
  until?: string | null;
}

/**
 * Issue 13 item 2: what happened to each data category in a system. A hold keeps its categories (with its
 * Art. 17(3) ground and end) and the rest is erased; a system that kept data for its own reason kept it all.
 */
export function categoryLines(s: CertificateInput['systems'][number]): CategoryLine[] {
  const outcome = systemOutcome(s);
  const kept = new Map((s.retainedCategories ?? []).map((k) => [k.category, k]));
  // Zgoda's own record is kept under any hold (the index), even one on categories it does not hold itself.
  const underHold = s.retainedReason === 'legal_hold' && (kept.size > 0 || s.kind === 'internal');
  if (outcome !== 'retained' || !underHold) return s.categories.map((category) => ({ category, outcome }));
  return s.categories.map((category) => {
    const k = kept.get(category);
    if (k) return { category, outcome: 'retained', legalBasis: k.legalBasis, until: k.until };
    return { category, outcome: s.kind === 'internal' ? 'restricted_until_hold_ends' : 'erased' };
  });
}
export type ErasureOutcome = 'erased' | 'partially_erased' | 'no_data_found';

/** What happened in one system, as the certificate states it: only what the system reported. */
export function systemOutcome(s: Pick<CertificateInput['systems'][number], 'status' | 'found'>): SystemOutcome {
  if (s.status === 'failed') return 'failed';
  if (s.status === 'retained') return 'retained';
  return s.found === false ? 'not_found' : 'erased';
}

/** "No data found" only when every system said it found nothing; anything kept makes it partial. */
export function erasureOutcome(outcomes: SystemOutcome[]): ErasureOutcome {
  if (outcomes.length > 0 && outcomes.every((o) => o === 'not_found')) return 'no_data_found';
  return outcomes.some((o) => o === 'retained' || o === 'failed') ? 'partially_erased' : 'erased';
}

/**
 * The erasure certificate: ids, dates and per-system outcomes only (LEGAL item 21: what is left of an
 * erased person is the fact that the request was fulfilled), signed as a compact JWS (EdDSA) so anyone
 * holding the published key (GET /v1/requests/jwks.json) can check it was not altered.
 */
export function certificatePayload(c: CertificateInput) {
  const systems = c.systems.map((s) => ({ ...s, outcome: systemOutcome(s) }));
  const own = systems.find((s) => s.kind === 'internal');
  return {
    typ: 'zgoda-erasure-certificate',
    ver: 3,
    iss: c.issuer,
    iat: Math.floor(c.completedAt.getTime() / 1000),
    jti: c.requestId,
    controller: c.controller,
    request: {
      id: c.requestId,
      type: 'erasure',
      receivedAt: c.receivedAt.toISOString(),
      completedAt: c.completedAt.toISOString(),
      resolution: c.resolution,
      outcome: erasureOutcome(systems.map((s) => s.outcome)),
      follows: c.follows ?? null,
    },
    // The subject id is a random identifier with nothing left behind it; the suppression list keeps
    // only keyed hashes (Art. 17 with Art. 21(3)). A request that matched nobody names nobody and
    // suppressed nothing: the certificate must not claim an erasure that did not happen.
    subject: {
      id: c.subjectId,
      found: c.subjectId !== null,
      // Only where the erasure put identifiers on the suppression list (a subject without any has none).
      suppressed: own?.outcome === 'erased' && (c.residue?.suppressedIdentifiers ?? 0) > 0,
    },
    // Issue 13 item 2: what Zgoda's store still holds of the subject, looked at before signing. `clean` only
    // when nothing is left; data kept under a legal hold shows here as kept, as the systems list says.
    residueCheck: c.residue
      ? {
          checkedAt: c.residue.checkedAt.toISOString(),
          dataKey: c.residue.dataKey,
          identifiers: c.residue.identifiers,
          encryptedFields: c.residue.encryptedFields,
          holdReasons: c.residue.holdReasons,
          consentEvidence: c.residue.consentEvidence,
          clean:
            !c.residue.dataKey &&
            c.residue.identifiers === 0 &&
            c.residue.encryptedFields === 0 &&
            c.residue.holdReasons === 0 &&
            c.residue.consentEvidence === 0,
        }
      : null,
    systems: systems.map((s) => ({
      key: s.key,
      outcome: s.outcome,
      status: s.status,
      completedAt: s.completedAt?.toISOString() ?? null,
      ...(s.status === 'retained'
        ? { retainedReason: s.retainedReason, retainedUntil: s.retainedUntil?.toISOString() ?? null }
        : {}),
      categories: categoryLines(s),
    })),
  };
}

export async function signCertificate(payload: object, key: ActiveKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', cty: 'erasure-certificate' })
    .sign(key.privateKey);
}

/** What a readable certificate page shows of a signed payload (portal and console), system keys named. */
export function readableCertificate(
  payload: unknown,
  names: ReadonlyMap<string, string>,
  links: { json: string; pdf: string },
) {
  const p = payload as ReturnType<typeof certificatePayload>;
  return {
    requestId: p.request.id,
    receivedAt: p.request.receivedAt,
    completedAt: p.request.completedAt,
    outcome: p.request.outcome,
    // Certificates signed before version 3 have neither.
    follows: p.request.follows ?? null,
    systems: p.systems.map((x) => {
      const kept = x as { retainedReason?: string | null; retainedUntil?: string | null };
      return {
        name: names.get(x.key) ?? x.key,
        outcome: x.outcome,
        retainedReason: kept.retainedReason ?? null,
        heldByLaw: kept.retainedReason === 'legal_hold',
        retainedUntil: kept.retainedUntil ?? null,
        categories: (x.categories ?? []).map((c) => ({ legalBasis: null, until: null, ...c })),
      };
    }),
    suppressed: p.subject.suppressed,
    residueChecked: p.residueCheck !== null,
    residueClean: p.residueCheck?.clean ?? false,
    jsonHref: links.json,
    pdfHref: links.pdf,
  };
}
