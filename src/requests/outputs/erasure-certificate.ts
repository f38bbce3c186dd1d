import { CompactSign } from 'jose';
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
  }[];
}

export type SystemOutcome = 'erased' | 'retained' | 'not_found' | 'failed';
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
    ver: 2,
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
    })),
  };
}

export async function signCertificate(payload: object, key: ActiveKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', cty: 'erasure-certificate' })
    .sign(key.privateKey);
}

/** What a readable certificate page shows of a signed payload (portal and console), system keys named. */
export function readableCertificate(payload: unknown, names: ReadonlyMap<string, string>, jsonHref: string) {
  const p = payload as ReturnType<typeof certificatePayload>;
  return {
    requestId: p.request.id,
    receivedAt: p.request.receivedAt,
    completedAt: p.request.completedAt,
    outcome: p.request.outcome,
    systems: p.systems.map((x) => {
      const kept = x as { retainedReason?: string | null; retainedUntil?: string | null };
      return {
        name: names.get(x.key) ?? x.key,
        outcome: x.outcome,
        retainedReason: kept.retainedReason ?? null,
        retainedUntil: kept.retainedUntil ?? null,
      };
    }),
    suppressed: p.subject.suppressed,
    residueChecked: p.residueCheck !== null,
    residueClean: p.residueCheck?.clean ?? false,
    jsonHref,
  };
}
