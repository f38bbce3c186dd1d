import { RequestDetails } from '../requests';
import { REQUEST_TYPES, RequestType } from '../requests';

export const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;
export const RECT_FIELDS = ['firstName', 'lastName', 'phone'] as const;

export interface RequestForm {
  type: string;
  email: string;
  details: string;
  firstName: string;
  lastName: string;
  phone: string;
  objMarketing: boolean;
  objPurposes: string[];
}

export interface ParsedRequest {
  type: RequestType;
  email: string;
  details: RequestDetails | null;
}

/** Field name → string key of the message; empty when the form is good. */
export type FormErrors = Partial<Record<'type' | 'email' | 'details' | 'rect' | 'obj', string>>;

const str = (v: unknown, max = 10_000): string => (typeof v === 'string' ? v.trim().slice(0, max + 1) : '');

/** The posted form as it is shown again (with errors); never trusts a field's presence. */
export function readForm(body: Record<string, unknown> | null | undefined): RequestForm {
  const b = body ?? {};
  return {
    type: str(b.type, 50),
    email: str(b.email, 320),
    details: str(b.details, 5000),
    firstName: str(b.firstName, 200),
    lastName: str(b.lastName, 200),
    phone: str(b.phone, 200),
    objMarketing: b.objMarketing === 'on' || b.objMarketing === 'true',
    // One checkbox per purpose, `objPurpose:<key>`: the form parser keeps only the last of repeated names.
    objPurposes: Object.keys(b)
      .filter((k) => k.startsWith('objPurpose:') && b[k] === 'on')
      .map((k) => k.slice('objPurpose:'.length))
      .filter((p) => /^[a-z0-9_-]{1,100}$/.test(p)),
  };
}

/**
 * The portal's checks, in the requests module's terms: rectification `changes` only for fields Zgoda
 * itself can correct, objection `purposes` (none or `direct_marketing` means Art. 21(2), at once).
 */
export function validateForm(
  f: RequestForm,
  legitimatePurposes: string[],
): { errors: FormErrors; parsed: ParsedRequest | null } {
  const errors: FormErrors = {};
  if (!(REQUEST_TYPES as readonly string[]).includes(f.type)) errors.type = 'portal.home.errType';
  if (f.email.length > 320 || !EMAIL.test(f.email)) errors.email = 'portal.home.errEmail';
  if (f.details.length > 5000) errors.details = 'portal.home.errDetails';
  const changes: Record<string, string> = {};
  if (f.type === 'rectification') {
    for (const k of RECT_FIELDS) {
      if (f[k].length > 200) errors.rect = 'portal.home.errField';
      else if (f[k]) changes[k] = f[k];
    }
    if (!errors.rect && !Object.keys(changes).length && !f.details) errors.rect = 'portal.home.errRect';
  }
  let purposes: string[] | undefined;
  if (f.type === 'objection') {
    purposes = [
      ...(f.objMarketing ? ['direct_marketing'] : []),
      ...f.objPurposes.filter((p) => legitimatePurposes.includes(p)),
    ];
    // Art. 21(1) needs the person's grounds; Art. 21(2) needs none.
    if (!purposes.length || (!f.objMarketing && !f.details)) errors.obj = 'portal.home.errObj';
  }
  if (Object.keys(errors).length) return { errors, parsed: null };
  const details: RequestDetails = {
    ...(f.details ? { details: f.details } : {}),
    ...(Object.keys(changes).length ? { changes } : {}),
    ...(purposes?.length ? { purposes } : {}),
  };
  return {
    errors,
    parsed: { type: f.type as RequestType, email: f.email, details: Object.keys(details).length ? details : null },
  };
}
