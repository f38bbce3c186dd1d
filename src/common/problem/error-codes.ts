/**
 * Every stable error code the API answers with, and its HTTP status: one exhaustive table, so a code
 * can never be answered with two statuses. Codes are persisted in clients' logic: never rename one.
 */
export const ERROR_STATUS = {
  // platform
  validation_failed: 422,
  malformed_json: 400,
  bad_request: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  not_found: 404,
  method_not_allowed: 405,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  rate_limited: 429,
  idempotency_key_reused: 422,
  idempotency_in_progress: 409,
  idempotency_secret_not_replayed: 409,
  idempotency_replay_unavailable: 409,
  invalid_cursor: 400,
  cursor_expired: 410,
  input_too_deep: 400,
  input_too_large: 422,
  invalid_characters: 422,
  internal_error: 500,
  service_unavailable: 503,
  // subjects and systems
  unknown_subject: 404,
  subject_exists: 409,
  subject_erased: 409,
  invalid_identifier: 422,
  unknown_system: 404,
  system_exists: 409,
  unknown_hold: 404,
  subject_on_hold: 409,
  invalid_signature: 401,
  // consent
  unknown_purpose: 422,
  purpose_not_found: 404,
  purpose_exists: 409,
  text_already_published: 409,
  text_not_found: 404,
  decision_not_found: 404,
  import_not_found: 404,
  import_not_awaiting_file: 409,
  already_imported: 409,
  file_too_large: 413,
  template_invalid: 422,
  unpublished_version: 422,
  channel_not_offered: 422,
  locale_not_available: 422,
  guardian_required: 422,
  invalid_token: 400,
  batch_too_large: 413,
  webhook_url_not_allowed: 422,
  // requests
  unknown_request: 404,
  invalid_transition: 409,
  extension_not_allowed: 409,
  subject_cannot_be_told: 409,
  unknown_recipient: 409,
  restriction_notice_required: 409,
  result_not_available: 404,
  link_expired: 410,
  resend_limited: 429,
  selection_too_broad: 422,
  // retention, register, breaches
  unknown_policy: 404,
  policy_exists: 409,
  run_in_progress: 409,
  unknown_breach: 404,
  late_notification_reason_required: 422,
  // auth (staff)
  invalid_credentials: 401,
  account_locked: 423,
  weak_password: 422,
  // web pages
  csrf_failed: 403,
  // audit
  checkpoint_invalid: 422,
  checkpoint_not_found: 404,
  audit_entry_not_sealed: 404,
  tree_size_out_of_range: 422,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLE = (code: ErrorCode): string =>
  code
    .split('_')
    .map((w, i) => (i === 0 ? w[0].toUpperCase() + w.slice(1) : w))
    .join(' ');
