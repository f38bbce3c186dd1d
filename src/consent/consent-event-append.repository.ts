import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CHANGE_INSERT } from './change-feed.repository';
import type { ChangeType } from './consent-change.entity';
import { ConsentEvent } from './consent-event.entity';
import { StateFacts } from './consent-rules';
import { STATE_INSERT, STATE_ON_CONFLICT } from './consent.repository';

type EventRow = Omit<ConsentEvent, 'seq'>;

/** consent_events' columns as the writers fill them: the field, its column and its type for `unnest`. */
export const EVENT_COLUMNS: [keyof EventRow, string, string][] = [
  ['id', 'id', 'uuid'],
  ['subjectId', 'subject_id', 'uuid'],
  ['purposeKey', 'purpose_key', 'text'],
  ['channel', 'channel', 'text'],
  ['decision', 'decision', 'text'],
  ['reason', 'reason', 'text'],
  ['version', 'version', 'int'],
  ['locale', 'locale', 'text'],
  ['textSha256', 'text_sha256', 'char(64)'],
  ['pending', 'pending', 'boolean'],
  ['confirmsEventId', 'confirms_event_id', 'uuid'],
  ['importKey', 'import_key', 'text'],
  ['recordedAt', 'recorded_at', 'timestamptz'],
  ['occurredAt', 'occurred_at', 'timestamptz'],
  ['expiresAt', 'expires_at', 'timestamptz'],
  ['sourceMethod', 'source_method', 'text'],
  ['sourceLocation', 'source_location', 'text'],
  ['sourceStaffId', 'source_staff_id', 'text'],
  ['expressedBy', 'expressed_by', 'text'],
  ['gpc', 'gpc', 'boolean'],
  ['suppressed', 'suppressed', 'boolean'],
  ['evidenceSha256', 'evidence_sha256', 'char(64)'],
  ['receipt', 'receipt', 'text'],
  ['importId', 'import_id', 'uuid'],
  ['importRow', 'import_row', 'int'],
];

export const EVENT_INSERT = `INSERT INTO consent_events (${EVENT_COLUMNS.map(([, c]) => c).join(', ')})`;

/** StateFacts.lastSeq for "the seq this event gets": the state then moves to the event appended with it. */
export const THIS_EVENT_SEQ = '-1';

/**
 * A recorded event, the projection's row it moves to and its change-feed row in one statement (a data-modifying
 * CTE), where they were three round trips in the writer's transaction. The state's `last_seq` is the event's own
 * seq when the state was folded with THIS_EVENT_SEQ (the event applied), else the seq given (a confirmation that
 * changed nothing keeps the state as it was; the forward-only guard then leaves the row alone).
 */
// The state's and the change's parameters follow the event's columns; $2, $3 and $4 are the event's subject, purpose
// and channel (EVENT_COLUMNS' order), which the state and the change row share.
const p = (k: number) => `$${EVENT_COLUMNS.length + k}`;
const APPEND_SQL = `
  WITH e AS (
    ${EVENT_INSERT}
    VALUES (${EVENT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    RETURNING seq
  ), s AS (
    ${STATE_INSERT}
    SELECT $2::uuid, $3::text, $4::text, ${p(1)}::text, ${p(2)}::uuid,
           CASE WHEN ${p(3)}::bigint = ${THIS_EVENT_SEQ} THEN e.seq ELSE ${p(3)}::bigint END,
           ${p(4)}::int, ${p(5)}::text, ${p(6)}::char(64), ${p(7)}::timestamptz, ${p(8)}::timestamptz,
           ${p(9)}::timestamptz, ${p(10)}::boolean, ${p(11)}::text, ${p(12)}::boolean, now()
      FROM e WHERE ${p(1)}::text IS NOT NULL
    ${STATE_ON_CONFLICT}
  ), c AS (
    ${CHANGE_INSERT}
    VALUES (pg_current_xact_id()::text::bigint, ${p(13)}::text, $2::uuid, ARRAY[$3::text], ARRAY[$4::text])
  )
  SELECT seq::text AS seq FROM e`;

@Injectable()
export class ConsentEventAppendRepository {
  /** Returns the event's seq. `state` null: the caller moves the projection itself (a back-dated event). */
  async append(m: EntityManager, e: EventRow, state: StateFacts | null, change: ChangeType): Promise<string> {
    const rows = (await m.query(APPEND_SQL, [
      ...EVENT_COLUMNS.map(([field]) => e[field] ?? null),
      state?.status ?? null,
      state?.eventId ?? null,
      state?.lastSeq ?? null,
      state?.version ?? null,
      state?.locale ?? null,
      state?.textSha256 ?? null,
      state?.grantedAt ?? null,
      state?.confirmedAt ?? null,
      state?.expiresAt ?? null,
      state?.pending ?? null,
      state?.expressedBy ?? null,
      state?.suppressed ?? null,
      change,
    ])) as { seq: string }[];
    return rows[0].seq;
  }
}
