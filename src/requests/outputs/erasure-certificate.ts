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
  systems: {
    key: string;
    status: string;
    completedAt: Date | null;
    retainedReason: string | null;
    retainedUntil: Date | null;
  }[];
}

/**
 * The erasure certificate: ids, dates and per-system outcomes only (LEGAL item 21: what is left of an
 * erased person is the fact that the request was fulfilled), signed as a compact JWS (EdDSA) so anyone
 * holding the published key (GET /v1/requests/jwks.json) can check it was not altered.
 */
export function certificatePayload(c: CertificateInput) {
  return {
    typ: 'zgoda-erasure-certificate',
    ver: 1,
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
    },
    // The subject id is a random identifier with nothing left behind it; the suppression list keeps
    // only keyed hashes (Art. 17 with Art. 21(3)).
    subject: { id: c.subjectId, suppressed: true },
    systems: c.systems.map((s) => ({
      key: s.key,
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
