/*
 * Examples for the integration operations' documents (issue 24 item 2): what a marketing system, shop or CRM
 * sends and gets. Redocly's `no-invalid-media-type-examples` (npm run lint) checks each against its schema.
 */

const SUBJECT = '0b9c3c1e-5a7d-4f5e-9b55-6c1d5f1e0b11';
const CONSENT = '6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b22';
const DECISION = 'd3c1a2b4-1e2f-4a5b-8c6d-7e8f9a0b1c2d';
const RECEIPT = 'eyJhbGciOiJFUzI1NiIsImtpZCI6IjEyMyJ9.eyJjb25zZW50SWQiOiIuLi4ifQ.c2lnbmF0dXJl';

export const CHECK_EXAMPLE = {
  allowed: true,
  reason: 'granted',
  decisionId: DECISION,
  consentId: CONSENT,
  version: 3,
  grantedAt: '2026-11-02T09:14:00.000Z',
};

export const BATCH_REQUEST_EXAMPLE = {
  purpose: 'newsletter',
  channel: 'email',
  emails: ['anna.nowak@example.com', 'jan.kowalski@example.com'],
};

export const BATCH_EXAMPLE = {
  decisionId: DECISION,
  results: [
    {
      email: 'anna.nowak@example.com',
      allowed: true,
      reason: 'granted',
      consentId: CONSENT,
      version: 3,
      grantedAt: '2026-11-02T09:14:00.000Z',
    },
    { email: 'jan.kowalski@example.com', allowed: false, reason: 'withdrawn' },
  ],
};

export const GRANT_REQUEST_EXAMPLE = {
  subject: { email: 'anna.nowak@example.com' },
  purpose: 'newsletter',
  channel: 'email',
  version: 3,
  locale: 'pl',
  decision: 'granted',
  source: { method: 'web', location: 'checkout' },
  evidence: { formId: 'checkout-v4', pageUrl: 'https://sklep.example.com/koszyk', ip: '203.0.113.7' },
};

export const GRANT_EXAMPLE = {
  id: CONSENT,
  subjectId: SUBJECT,
  purpose: 'newsletter',
  channel: 'email',
  version: 3,
  locale: 'pl',
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  decision: 'granted',
  reason: null,
  pending: false,
  occurredAt: '2026-12-06T10:00:00.000Z',
  recordedAt: '2026-12-06T10:00:00.120Z',
  expiresAt: null,
  receipt: RECEIPT,
  subjectCreated: true,
};

export const CHANGES_EXAMPLE = {
  changes: [
    {
      cursor: 'eyJzIjoiMTIzIn0',
      type: 'consent_withdrawn',
      occurredAt: '2026-12-06T10:05:00.000Z',
      subjectId: SUBJECT,
      externalId: 'C-1042',
      decisions: [{ purpose: 'newsletter', channel: 'email', allowed: false, reason: 'withdrawn' }],
    },
  ],
  next: 'eyJzIjoiMTIzIn0',
};

export const IMPORT_REQUEST_EXAMPLE = {
  format: 'csv',
  mapping: {
    columns: { email: 'subject.email', status: 'decision', optin_time: 'occurredAt', optin_ip: 'evidence.ip' },
    values: { decision: { subscribed: 'granted', unsubscribed: 'withdrawn', cleaned: null } },
  },
  dryRun: false,
};

export const IMPORT_EXAMPLE = {
  id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  format: 'csv',
  status: 'awaiting_file',
  dryRun: false,
  size: null,
  rows: { read: 0, imported: 0, skipped: 0, failed: 0 },
  createdAt: '2026-12-06T10:00:00.000Z',
  startedAt: null,
  finishedAt: null,
};
