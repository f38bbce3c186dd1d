import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CHANGE_INSERT } from './change-feed.repository';
import type { ChangeType } from './consent-change.entity';
import { ConsentEvent } from './consent-event.entity';
import { StateFacts } from './consent-rules';
import { STATE_INSERT, STATE_ON_CONFLICT } from './consent.repository';

/** StateFacts.lastSeq for "the seq this event gets": the state then moves to the event appended with it. */
export const THIS_EVENT_SEQ = '-1';

/**
 * A recorded event, the projection's row it moves to and its change-feed row in one statement (a data-modifying
 * CTE), where they were three round trips in the writer's transaction. The state's `last_seq` is the event's own
 * seq when the state was folded with THIS_EVENT_SEQ (the event applied), else the seq given (a confirmation that
 * changed nothing keeps the state as it was; the forward-only guard then leaves the row alone).
 */
const APPEND_SQL = `
  WITH e AS (
    INSERT INTO consent_events (id, subject_id, purpose_key, channel, decision, reason, version, locale, text_sha256,
                                pending, confirms_event_id, import_key, recorded_at, occurred_at, expires_at,
                                source_method, source_location, source_staff_id, expressed_by, gpc, suppressed,
                                evidence_sha256, receipt, import_id, import_row)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
            $24, $25)
    RETURNING seq
  ), s AS (
    ${STATE_INSERT}
    SELECT $2::uuid, $3::text, $4::text, $26::text, $27::uuid,
           CASE WHEN $28::bigint = ${THIS_EVENT_SEQ} THEN e.seq ELSE $28::bigint END, $29::int, $30::text,
           $31::char(64), $32::timestamptz, $33::timestamptz, $34::timestamptz, $35::boolean, $36::text, $37::boolean,
           now()
      FROM e WHERE $26::text IS NOT NULL
    ${STATE_ON_CONFLICT}
  ), c AS (
    ${CHANGE_INSERT}
    VALUES (pg_current_xact_id()::text::bigint, $38::text, $2::uuid, ARRAY[$3::text], ARRAY[$4::text])
  )
  SELECT seq::text AS seq FROM e`;

@Injectable()
export class ConsentEventAppendRepository {
  /** Returns the event's seq. `state` null: the caller moves the projection itself (a back-dated event). */
  async append(
    m: EntityManager,
    e: Omit<ConsentEvent, 'seq'>,
    state: StateFacts | null,
    change: ChangeType,
  ): Promise<string> {
    const rows = (await m.query(APPEND_SQL, [
      e.id,
      e.subjectId,
      e.purposeKey,
      e.channel,
      e.decision,
      e.reason ?? null,
      e.version,
      e.locale,
      e.textSha256,
      e.pending,
      e.confirmsEventId ?? null,
      e.importKey ?? null,
      e.recordedAt,
      e.occurredAt,
      e.expiresAt ?? null,
      e.sourceMethod,
      e.sourceLocation ?? null,
      e.sourceStaffId ?? null,
      e.expressedBy,
      e.gpc,
      e.suppressed,
      e.evidenceSha256 ?? null,
      e.receipt ?? null,
      e.importId ?? null,
      e.importRow ?? null,
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
