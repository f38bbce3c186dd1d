import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { decisionRows, StateFacts } from './consent-rules';
import { NIL_UUID } from './consent-decision.sql';
import { factsFromRow, rulesFromRow, stateFromRow } from './decision-inputs';
import { Channel } from './consent.types';
import {
  DecisionInputRow,
  DecisionRowsRepository,
  KeptDecision,
  KeptSlotRow,
  NewDecisionRow,
} from './decision-rows.repository';

/** Subjects decided per statement when a whole purpose is decided again. */
const PURPOSE_PAGE = 2_000;
/** Subjects per transaction of a rebuild: each holds a lock per subject, and PostgreSQL's lock table is shared. */
const REBUILD_PAGE = 500;

/**
 * Issue 16 item 1: the decision for a (subject, purpose, channel) kept as a row, written in the transaction of every
 * change that alters it, by the one set of rules (`decisionRows`, from `decide`). Rows are kept for every channel of
 * each purpose a subject has a consent state for; a check that finds no row, or one past `valid_until`, decides from
 * the subject and its states as it always has, so a row is never the only way to an answer.
 */
@Injectable()
export class DecisionRowsService {
  constructor(
    private readonly repo: DecisionRowsRepository,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Every row decided again, `REBUILD_PAGE` subjects per transaction (each takes its subjects' locks, as any write
   * does, so it runs beside live traffic): after an upgrade that brings the rows, or after rows were loaded by
   * other means. Checks are answered correctly meanwhile, from the states. Safe to run again.
   */
  async rebuildAll(): Promise<{ subjects: number }> {
    const subjects = await this.eachPage(this.dataSource.manager, null, REBUILD_PAGE, (ids) =>
      this.dataSource.transaction((m) => this.refresh(m, ids)),
    );
    // A subject whose first state came after its page was passed got its rows from that change's own refresh.
    await this.repo.markBuilt();
    return { subjects };
  }

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
   * A batch check's kept rows: each slot with one owner and a current row goes into `kept` (slot to row); the live
   * rows of the other slots (`live` is given their slots, and numbers its rows by position in that list) come back
   * numbered by slot. The repository leaves out a row past `valid_until`, so that slot is decided again.
   */
  async keptOrLive<T extends { n: number }>(
    rows: Promise<KeptSlotRow[]>,
    slots: number,
    kept: Map<number, KeptDecision>,
    live: (slots: number[]) => Promise<T[]>,
  ): Promise<T[]> {
    const found = await rows;
    const owners = new Map<number, number>();
    for (const r of found) owners.set(r.n, (owners.get(r.n) ?? 0) + 1);
    for (const r of found) if (owners.get(r.n) === 1 && r.reason !== null) kept.set(r.n, r as KeptDecision);
    const rest: number[] = [];
    for (let n = 1; n <= slots; n++) if (!kept.has(n)) rest.push(n);
    if (!rest.length) return [];
    return (await live(rest)).map((r) => ({ ...r, n: rest[r.n - 1] }));
  }

  /**
   * A purpose's rules changed (basis, marketing, age, channels, the version re-consent starts from): every row of it
   * decided again, page by page, in the caller's transaction, which holds the purpose's row locked. That lock stands
   * in for the per-subject ones (a lock per subject of a large purpose would overrun PostgreSQL's lock table): any
   * other refresh of the purpose reads it FOR SHARE, so it either finished before the change or waits for it.
   */
  async refreshPurpose(m: EntityManager, purposeKey: string): Promise<void> {
    await this.eachPage(m, purposeKey, PURPOSE_PAGE, (ids) => this.decideAndReplace(m, ids, [purposeKey]));
  }

  /** `fn` on each keyset page of the subjects with a consent state (for the purpose; null: any); how many there were. */
  private async eachPage(
    m: EntityManager,
    purposeKey: string | null,
    size: number,
    fn: (ids: string[]) => Promise<void>,
  ): Promise<number> {
    let after = NIL_UUID;
    let seen = 0;
    for (;;) {
      const ids = await this.repo.subjectsWithStates(m, purposeKey, after, size);
      if (!ids.length) return seen;
      await fn(ids);
      seen += ids.length;
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
        purpose: rulesFromRow(first),
        channels: first.channels,
        subject: factsFromRow(first),
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
