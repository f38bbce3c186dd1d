/**
 * Grants that ended on their own by `$1` (a grant's `expiresAt`, or the purpose's `validityDays`, as the
 * consent module reads them: granted, confirmed, past their time), as a subquery for another module's
 * statement. A fragment rather than a service call: retention records each expiry once in its own table,
 * and "not yet recorded" has to be judged in the same statement as the insert, so that a concurrent sweep
 * skips by the primary key and each sweep reads only the grants it records.
 * Columns: event_id, subject_id, purpose_key, channel, expires_at.
 */
export const EXPIRED_GRANTS_SQL = `SELECT s.event_id, s.subject_id, s.purpose_key, s.channel, s.expires_at
    FROM consent_state s
   WHERE s.status = 'granted' AND NOT s.pending AND s.expires_at <= $1`;
