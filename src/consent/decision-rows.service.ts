import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { decisionRows, StateFacts } from './consent-rules';
import { NIL_UUID } from './consent-decision.sql';
import { Channel } from './consent.types';
import { DecisionInputRow, DecisionRowsRepository, NewDecisionRow } from './decision-rows.repository';

/** Subjects decided per statement when a whole purpose is decided again. */
const PURPOSE_PAGE = 2_000;

/** A consent_state row as the rules read it (the columns the decision statements select). */
export const stateFromRow = (
  r: Pick<
    DecisionInputRow,
    | 'status'
    | 'event_id'
    | 'version'
    | 'granted_at'
    | 'expires_at'
    | 'pending'
    | 'expressed_by'
    | 'suppressed'
    | 'confirmed_at'
  >,
): StateFacts => ({
  status: r.status!,
  eventId: r.event_id!,
  lastSeq: '0',
  version: r.version!,
  locale: '',
  textSha256: '',
  grantedAt: r.granted_at,
  confirmedAt: r.confirmed_at,
  expiresAt: r.expires_at,
  pending: r.pending!,
  expressedBy: r.expressed_by!,
  suppressed: r.suppressed!,
});

/**
 * Issue 16 item 1: the decision for a (subject, purpose, channel) kept as a row, written in the transaction of every
 * change that alters it, by the one set of rules (`decisionRows`, from `decide`). Rows are kept for every channel of
 * each purpose a subject has a consent state for; a check that finds no row, or one past `valid_until`, decides from
 * the subject and its states as it always has, so a row is never the only way to an answer.
 */
@Injectable()
export class DecisionRowsService {
  constructor(private readonly repo: DecisionRowsRepository) {}

  /** In the caller's transaction: the rows of these subjects (survivors) decided again, for these purposes or all. */
  async refresh(m: EntityManager, subjectIds: string[], purposeKeys: string[] | null = null): Promise<void> {
    const ids = [...new Set(subjectIds)].sort();
    if (!ids.length) return;
    // Two transactions writing states of one subject (two channels, or a grant beside an objection) would each
    // decide without the other's uncommitted change; the lock makes the later one decide from both.
    await this.repo.lock(m, ids);
    await this.decideAndReplace(m, ids, purposeKeys);
  }

  /**
   * A purpose's rules changed (basis, marketing, age, channels, the version re-consent starts from): every row of it
   * decided again, page by page, in the caller's transaction, which holds the purpose's row locked. That lock stands
   * in for the per-subject ones (a lock per subject of a large purpose would overrun PostgreSQL's lock table): any
   * other refresh of the purpose reads it FOR SHARE, so it either finished before the change or waits for it.
   */
  async refreshPurpose(m: EntityManager, purposeKey: string): Promise<void> {
    let after = NIL_UUID;
    for (;;) {
      const ids = await this.repo.subjectsOfPurpose(m, purposeKey, after, PURPOSE_PAGE);
      if (!ids.length) return;
      await this.decideAndReplace(m, ids, [purposeKey]);
      after = ids[ids.length - 1];
    }
  }

  private async decideAndReplace(m: EntityManager, ids: string[], purposeKeys: string[] | null): Promise<void> {
    const inputs = await this.repo.inputs(m, ids, purposeKeys);
    const bySubjectPurpose = new Map<string, DecisionInputRow[]>();
    for (const r of inputs) {
      const key = `${r.subject_id}|${r.purpose_key}`;
      bySubjectPurpose.set(key, [...(bySubjectPurpose.get(key) ?? []), r]);
    }
    const now = new Date();
    const rows: NewDecisionRow[] = [];
    for (const states of bySubjectPurpose.values()) {
      const [first] = states;
      const facts = decisionRows({
        purpose: {
          legalBasis: first.legal_basis,
          marketing: first.marketing,
          minimumAge: first.minimum_age,
          reconsentFromVersion: first.reconsent_from_version,
        },
        channels: first.channels,
        subject: {
          status: first.subject_status,
          minorUntil: first.minor_until,
          objectedToDirectMarketing: first.objected,
          objectedToPurpose: first.objected_purpose,
        },
        states: Object.fromEntries(states.map((s) => [s.channel, stateFromRow(s)])) as Partial<
          Record<Channel, StateFacts>
        >,
        now,
      });
      for (const f of facts) rows.push({ ...f, subjectId: first.subject_id, purposeKey: first.purpose_key });
    }
    await this.repo.replace(m, ids, purposeKeys, rows);
  }
}
