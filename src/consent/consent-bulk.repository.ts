import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventFacts, StateFacts } from './consent-rules';
import { ConsentEvent } from './consent-event.entity';
import { CONSENT_LOCK_NAMESPACE, STATE_INSERT, STATE_ON_CONFLICT } from './consent.repository';
import { EVENT_COLUMNS, EVENT_INSERT } from './consent-event-append.repository';

export interface Triple {
  subjectId: string;
  purposeKey: string;
  channel: string;
}

/** What `applyEvent` reads of an event, per triple, in the order events take effect. */
export type TripleEventRow = EventFacts & Triple;

const tripleKey = (t: Triple) => `${t.subjectId}|${t.purposeKey}|${t.channel}`;

/**
 * The statements of an import's batch of consent events (issue 14 item 1): the same rows and locks as the live
 * path (`ConsentRepository`), a constant number of statements for the whole batch.
 */
@Injectable()
export class ConsentBulkRepository {
  /**
   * The triples' advisory locks (the ones a live write takes one at a time), in one order for every batch so two
   * batches never deadlock.
   */
  async lockTriples(m: EntityManager, triples: Triple[]): Promise<void> {
    const keys = [...new Set(triples.map(tripleKey))].sort();
    if (!keys.length) return;
    await m.query(
      `SELECT count(pg_advisory_xact_lock($1, hashtext(k)))
         FROM (SELECT k FROM unnest($2::text[]) WITH ORDINALITY AS u (k, n) ORDER BY n) s`,
      [CONSENT_LOCK_NAMESPACE, keys],
    );
  }

  /** Of these import keys, the ones an event already carries: one index probe per key, whatever the statistics. */
  async takenImportKeys(m: EntityManager, keys: string[]): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const rows = (await m.query(
      `SELECT u.k AS import_key FROM unnest($1::text[]) AS u (k)
         CROSS JOIN LATERAL (SELECT 1 FROM consent_events e WHERE e.import_key = u.k LIMIT 1) x`,
      [keys],
    )) as { import_key: string }[];
    return new Set(rows.map((r) => r.import_key));
  }

  /** Appends the events in the order given (so their seq follows it). */
  async insertEvents(m: EntityManager, events: Omit<ConsentEvent, 'seq'>[]): Promise<void> {
    if (!events.length) return;
    const names = EVENT_COLUMNS.map(([, column]) => column).join(', ');
    const arrays = EVENT_COLUMNS.map(([, , type], i) => `$${i + 1}::${type}[]`).join(', ');
    await m.query(
      `${EVENT_INSERT}
       SELECT ${names} FROM unnest(${arrays}) WITH ORDINALITY AS u (${names}, n)
        ORDER BY n`,
      EVENT_COLUMNS.map(([field]) => events.map((e) => e[field])),
    );
  }

  async insertEvidence(
    m: EntityManager,
    rows: { eventId: string; subjectId: string; sealed: Buffer }[],
  ): Promise<void> {
    if (!rows.length) return;
    await m.query(
      `INSERT INTO consent_evidence (event_id, subject_id, sealed)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bytea[])`,
      [rows.map((r) => r.eventId), rows.map((r) => r.subjectId), rows.map((r) => r.sealed)],
    );
  }

  /**
   * Every event of these triples (the batch's own included), in the order they take effect. One index probe per
   * triple (LATERAL): a plain join let the planner, misjudging events per subject while an import fills the table,
   * scan all of consent_events for every batch.
   */
  async tripleEvents(m: EntityManager, triples: Triple[]): Promise<TripleEventRow[]> {
    if (!triples.length) return [];
    const rows = (await m.query(
      `SELECT t.subject_id, t.purpose_key, t.channel, e.id, e.seq::text AS seq, e.decision, e.version, e.locale,
              e.text_sha256, e.occurred_at, e.expires_at, e.pending, e.expressed_by, e.suppressed,
              e.confirms_event_id
         FROM (SELECT DISTINCT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t (subject_id, purpose_key, channel)) t
         CROSS JOIN LATERAL (
           SELECT * FROM consent_events e
            WHERE e.subject_id = t.subject_id AND e.purpose_key = t.purpose_key AND e.channel = t.channel
            ORDER BY e.occurred_at, e.seq
         ) e
        ORDER BY t.subject_id, t.purpose_key, t.channel, e.occurred_at, e.seq`,
      [triples.map((t) => t.subjectId), triples.map((t) => t.purposeKey), triples.map((t) => t.channel)],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      subjectId: r.subject_id as string,
      purposeKey: r.purpose_key as string,
      channel: r.channel as string,
      id: r.id as string,
      seq: r.seq as string,
      decision: r.decision as EventFacts['decision'],
      version: r.version as number,
      locale: r.locale as string,
      textSha256: r.text_sha256 as string,
      occurredAt: r.occurred_at as Date,
      expiresAt: r.expires_at as Date | null,
      pending: r.pending as boolean,
      expressedBy: r.expressed_by as EventFacts['expressedBy'],
      suppressed: r.suppressed as boolean,
      confirmsEventId: r.confirms_event_id as string | null,
    }));
  }

  /** `ConsentRepository.upsertState` for many triples in one statement, with the same forward-only guard. */
  async upsertStates(m: EntityManager, states: (Triple & { state: StateFacts })[]): Promise<void> {
    if (!states.length) return;
    const col = <K extends keyof StateFacts>(k: K) => states.map((s) => s.state[k]);
    await m.query(
      `${STATE_INSERT}
       SELECT u.*, now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::bigint[],
                                     $7::int[], $8::text[], $9::char(64)[], $10::timestamptz[], $11::timestamptz[],
                                     $12::timestamptz[], $13::boolean[], $14::text[], $15::boolean[]) AS u
       ${STATE_ON_CONFLICT}`,
      [
        states.map((s) => s.subjectId),
        states.map((s) => s.purposeKey),
        states.map((s) => s.channel),
        col('status'),
        col('eventId'),
        col('lastSeq'),
        col('version'),
        col('locale'),
        col('textSha256'),
        col('grantedAt'),
        col('confirmedAt'),
        col('expiresAt'),
        col('pending'),
        col('expressedBy'),
        col('suppressed'),
      ],
    );
  }
}
