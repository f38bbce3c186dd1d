import { CLOCK_SKEW_MS } from '../../common/clock/skew';
import type { RequestStatus, RequestType } from '../request.types';

export const OPENGDPR_API_VERSION = '0.1';
export const OPENGDPR_TYPES = ['access', 'portability', 'erasure'] as const;
export const IDENTITY_FORMATS = ['raw', 'sha1', 'md5', 'sha256'] as const;
export const IDENTITY_TYPES = [
  'controller_customer_id',
  'android_advertising_id',
  'android_id',
  'email',
  'fire_advertising_id',
  'ios_advertising_id',
  'ios_vendor_id',
  'microsoft_advertising_id',
  'microsoft_publisher_id',
  'roku_publisher_id',
  'roku_advertising_id',
] as const;
/** What Zgoda can look a subject up by: raw values only (it keeps keyed blind indexes, not plain hashes). */
export const SUPPORTED_IDENTITIES = [
  { identity_type: 'email', identity_format: 'raw' },
  { identity_type: 'controller_customer_id', identity_format: 'raw' },
] as const;

export interface Identity {
  identity_type: string;
  identity_value: string;
  identity_format: (typeof IDENTITY_FORMATS)[number];
}

export interface OpenGdprBody {
  subject_request_id: string;
  subject_request_type: Extract<RequestType, 'access' | 'portability' | 'erasure'>;
  submitted_time: Date;
  subject_identities: Identity[];
  api_version: string;
  status_callback_urls: string[];
  extensions?: Record<string, unknown>;
}

/** One entry of the spec's error object (7.6); never an identity value (LEGAL item 23). */
export interface OpenGdprErrorItem {
  domain: string;
  reason: string;
  message: string;
}

export class OpenGdprError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly errors: OpenGdprErrorItem[] = [],
  ) {
    super(message);
  }

  body() {
    return { error: { code: this.code, message: this.message, errors: this.errors } };
  }
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const MAX_IDENTITIES = 50;
const MAX_CALLBACKS = 10;

/** Validates a create body (spec 7.1) and lists every problem at once. */
export function parseOpenGdprBody(body: unknown, now = new Date()): OpenGdprBody {
  const errors: OpenGdprErrorItem[] = [];
  const fail = (field: string, message: string) =>
    errors.push({ domain: 'Validation', reason: 'IllegalArgumentException', message: `${field} ${message}` });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OpenGdprError(400, 'The body must be a JSON object.', [
      { domain: 'Validation', reason: 'IllegalArgumentException', message: 'body must be a JSON object' },
    ]);
  }
  const b = body as Record<string, unknown>;
  if (typeof b.subject_request_id !== 'string' || !UUID_V4.test(b.subject_request_id)) {
    fail('subject_request_id', 'is required and must be a lowercase UUID v4.');
  }
  if (!OPENGDPR_TYPES.includes(b.subject_request_type as never)) {
    fail('subject_request_type', `is required and must be one of ${OPENGDPR_TYPES.join(', ')}.`);
  }
  let submitted = new Date(NaN);
  if (typeof b.submitted_time === 'string' && RFC3339.test(b.submitted_time)) submitted = new Date(b.submitted_time);
  if (Number.isNaN(submitted.getTime())) fail('submitted_time', 'is required and must be an RFC 3339 date.');
  else if (submitted.getTime() > now.getTime() + CLOCK_SKEW_MS) fail('submitted_time', 'may not lie in the future.');
  const identities = b.subject_identities;
  if (!Array.isArray(identities) || identities.length === 0 || identities.length > MAX_IDENTITIES) {
    fail('subject_identities', `is required: 1 to ${MAX_IDENTITIES} identity objects.`);
  } else {
    identities.forEach((raw, i) => {
      const id = raw as Record<string, unknown>;
      if (typeof id !== 'object' || id === null) return fail(`subject_identities[${i}]`, 'must be an object.');
      if (!IDENTITY_TYPES.includes(id.identity_type as never))
        fail(`subject_identities[${i}].identity_type`, 'is not supported.');
      if (typeof id.identity_value !== 'string' || id.identity_value.length === 0 || id.identity_value.length > 320) {
        fail(`subject_identities[${i}].identity_value`, 'is required (1-320 characters).');
      }
      if (!IDENTITY_FORMATS.includes(id.identity_format as never)) {
        fail(`subject_identities[${i}].identity_format`, `must be one of ${IDENTITY_FORMATS.join(', ')}.`);
      }
    });
  }
  if (b.api_version !== undefined && typeof b.api_version !== 'string') fail('api_version', 'must be a string.');
  const urls = b.status_callback_urls ?? [];
  if (!Array.isArray(urls) || urls.length > MAX_CALLBACKS) {
    fail('status_callback_urls', `must be an array of at most ${MAX_CALLBACKS} URLs.`);
  } else {
    urls.forEach((u, i) => {
      if (!isHttpUrl(u)) fail(`status_callback_urls[${i}]`, 'must be an http(s) URL.');
    });
  }
  if (
    b.extensions !== undefined &&
    (typeof b.extensions !== 'object' || b.extensions === null || Array.isArray(b.extensions))
  ) {
    fail('extensions', 'must be an object keyed by processor domain.');
  }
  if (errors.length) throw new OpenGdprError(400, errors[0].message, errors);
  return {
    subject_request_id: b.subject_request_id as string,
    subject_request_type: b.subject_request_type as OpenGdprBody['subject_request_type'],
    submitted_time: submitted,
    subject_identities: (identities as Identity[]).map((i) => ({
      identity_type: i.identity_type,
      identity_value: i.identity_value,
      identity_format: i.identity_format,
    })),
    api_version: (b.api_version as string | undefined) ?? OPENGDPR_API_VERSION,
    status_callback_urls: urls as string[],
    ...(b.extensions ? { extensions: b.extensions as Record<string, unknown> } : {}),
  };
}

function isHttpUrl(u: unknown): boolean {
  if (typeof u !== 'string' || u.length > 2000) return false;
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export type OpenGdprStatus = 'pending' | 'in_progress' | 'completed' | 'cancelled';

/** LEGAL item 23: our richer states onto the spec's four; the detail goes under `extensions`. */
export function openGdprStatus(status: RequestStatus): OpenGdprStatus {
  switch (status) {
    case 'received':
    case 'awaiting_verification':
    case 'verified':
      return 'pending';
    case 'in_progress':
    case 'awaiting_recipients':
    case 'failed':
      return 'in_progress';
    case 'completed':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
  }
}
