import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal } from '../common/auth/principal';
import { IdentifierKind } from '../common/identifiers/normalise';
import { ProblemError } from '../common/problem/problem.error';
import { SubjectKeysService } from '../subjects';
import { currentGrant, decide, decisionValidUntil, PurposeRules, SubjectFacts } from './consent-rules';
import { DecisionReason } from './consent.types';
import { DecisionLog } from './decision-log.service';
import { DecisionRowsRepository, KeptDecision } from './decision-rows.repository';
import { Decision, keptInto, keptOfOne } from './kept-decision';
import { factsFromRow, rulesFromRow, stateFromRow } from './decision-inputs';
import { DecisionRowsService } from './decision-rows.service';
import { BatchDecisionDto, DecisionQuery, MAX_BATCH } from './consent-decision.dto';
import { BatchDecisionRow, ConsentRepository, DecisionOneRow, PurposeRulesRow } from './consent.repository';

export type { Decision } from './kept-decision';

/** Asked for (`record`), or the key records always: the principal the log names. */
export const recordAs = (asked: boolean | undefined, p: Principal): string | undefined =>
  asked === true || p.recordDecisions ? `${p.kind}:${p.id}` : undefined;

type ListField = 'subjectIds' | 'emails' | 'phones' | 'externalIds';
const LISTS: { field: ListField; kind: IdentifierKind | null; out: string }[] = [
  { field: 'subjectIds', kind: null, out: 'subjectId' },
  { field: 'emails', kind: 'email', out: 'email' },
  { field: 'phones', kind: 'phone', out: 'phone' },
  { field: 'externalIds', kind: 'external_id', out: 'externalId' },
];

/**
 * The hot path. Reads the projection (never the event log), the subject facts and, for identifiers, the
 * suppression list; a constant number of round trips whatever the batch size. Expiry is compared with
 * the current time, so a consent says no from the instant it expires.
 */
@Injectable()
export class ConsentDecisionService {
  constructor(
    private readonly repo: ConsentRepository,
    private readonly subjects: SubjectKeysService,
    private readonly log: DecisionLog,
    private readonly rows: DecisionRowsRepository,
    private readonly decisionRows: DecisionRowsService,
  ) {}

  /** `recordAs`: the principal, when the decision is to be kept in the log before it is answered. */
  async checkOne(q: DecisionQuery, recordAs?: string): Promise<Decision & { decisionId: string }> {
    const given = (['subjectId', 'email', 'phone', 'externalId'] as const).filter((k) => q[k] !== undefined);
    if (given.length !== 1) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'subjectId', message: 'give exactly one of subjectId, email, phone, externalId' }],
      });
    }
    let rows: DecisionOneRow[];
    if (q.subjectId !== undefined) {
      rows = await this.repo.decisionById(q.purpose, q.channel, q.subjectId);
    } else {
      const kind: IdentifierKind = q.email !== undefined ? 'email' : q.phone !== undefined ? 'phone' : 'external_id';
      const keys = this.subjects.identifierKeys(kind, (q.email ?? q.phone ?? q.externalId)!);
      // An identifier that does not normalise belongs to nobody and is on no list.
      rows = keys
        ? await this.repo.decisionByIdentifier(q.purpose, q.channel, kind, keys.blindIndex, keys.hash)
        : await this.repo.decisionById(q.purpose, q.channel, null);
    }
    // Issue 16 item 1: the kept row answers when it is there and current; else the subject and its states do.
    const [first] = rows;
    if (first?.kept_reason) {
      this.rulesOf(first, q.channel);
      const kept = keptInto({}, keptOfOne(first), first.identifier_suppressed);
      return this.answer(q, kept, first.kept_subject_id!, recordAs);
    }
    const rules = this.rulesOf(rows[0], q.channel);
    const { resolved_id: subjectId, subject_status: status, identifier_suppressed: suppressed } = rows[0];
    const facts = subjectId && status ? factsFromRow({ ...rows[0], subject_status: status }) : undefined;
    const now = new Date();
    const mine = rows.filter((r) => r.subject_id === subjectId && r.status !== null);
    const otherGranted = mine.some((r) => r.channel !== q.channel && currentGrant(stateFromRow(r), now));
    const here = mine.find((r) => r.channel === q.channel);
    const decision = this.decideFor(rules, q.channel, subjectId, facts, here, otherGranted, suppressed, now);
    return this.answer(q, decision, subjectId, recordAs, now);
  }

  /** The single answer, kept in the decision log first when asked (`recordAs`). */
  private async answer(
    q: DecisionQuery,
    decision: Decision,
    subjectId: string | null,
    recordAs: string | undefined,
    now = new Date(),
  ): Promise<Decision & { decisionId: string }> {
    const decisionId = randomUUID();
    if (recordAs) {
      await this.log.record({
        id: decisionId,
        decidedAt: now,
        principal: recordAs,
        purposeKey: q.purpose,
        channel: q.channel,
        subjectId: subjectId ?? null,
        allowed: decision.allowed,
        reason: decision.reason,
        consentEventId: decision.consentId ?? null,
      });
    }
    return { ...decision, decisionId };
  }

  async checkBatch(dto: BatchDecisionDto, recordAs?: string) {
    const lists = LISTS.filter((l) => dto[l.field] !== undefined);
    if (lists.length !== 1) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'subjectIds', message: 'give exactly one of subjectIds, emails, phones, externalIds' }],
      });
    }
    const [{ field, kind, out }] = lists;
    const inputs = dto[field]!;
    if (inputs.length > MAX_BATCH) {
      throw new ProblemError('batch_too_large', `At most ${MAX_BATCH} entries per call.`, { max: MAX_BATCH });
    }
    // Three statements in flight at once: the purpose's rules, the kept decision rows (then, only for slots without
    // a current row, the subjects with their facts and states), and (for identifiers) the suppression list, whose
    // hashing overlaps the query.
    const purpose = this.repo.purposeRules(dto.purpose);
    // slotOf: input to its 1-based position in the array the query takes (`n` of its rows).
    let slotOf: (input: string) => number | undefined;
    let found: Promise<BatchDecisionRow[]>;
    let suppressedOf: (input: string) => boolean = () => false;
    let suppressedValues: Promise<Set<string>> = Promise.resolve(new Set());
    // Issue 16 item 1: the kept decision rows answer; only slots without a current row are decided here.
    const kept = new Map<number, KeptDecision>();
    const { purpose: key, channel } = dto;
    if (kind === null) {
      const slots = new Map<string, number>();
      for (const input of inputs) {
        const id = input.toLowerCase();
        if (!slots.has(id)) slots.set(id, slots.size + 1);
      }
      const ids = [...slots.keys()];
      const keptRows = this.rows
        .keptByIds(key, channel, ids)
        .then((rows) => rows.map((r) => Object.assign(r, { n: slots.get(r.subject_id)! })));
      found = this.decisionRows.keptOrLive(keptRows, ids.length, kept, (rest) =>
        this.repo.batchByIds(
          key,
          channel,
          rest.map((n) => ids[n - 1]),
        ),
      );
      slotOf = (input) => slots.get(input.toLowerCase());
    } else {
      // Each value normalised once and hashed once per key (blind index, suppression hash).
      const normalised = this.subjects.normaliseIdentifiers(kind, inputs);
      const slots = new Map<string, number>();
      for (const value of normalised.values()) if (!slots.has(value)) slots.set(value, slots.size + 1);
      const values = [...slots.keys()];
      const indexes = this.subjects.blindIndexes(kind, values);
      found = this.decisionRows.keptOrLive(
        this.rows.keptByIndexes(key, channel, kind, indexes),
        values.length,
        kept,
        (rest) =>
          this.repo.batchByIndexes(
            key,
            channel,
            kind,
            rest.map((n) => indexes[n - 1]),
          ),
      );
      suppressedValues = this.subjects.suppressedValues(kind, values);
      slotOf = (input) => {
        const value = normalised.get(input);
        return value === undefined ? undefined : slots.get(value);
      };
      suppressedOf = (input) => suppressedNow.has(normalised.get(input) ?? '');
    }
    const [purposeRow, rows, suppressedNow] = await Promise.all([purpose, found, suppressedValues]);
    const rules = this.rulesOf(purposeRow, dto.channel);
    // An identifier held by several subjects (external ids across systems) identifies nobody.
    const bySlot: (BatchDecisionRow | null)[] = [];
    for (const r of rows) {
      const seen = bySlot[r.n];
      bySlot[r.n] = seen === undefined || seen?.resolved_id === r.resolved_id ? r : null;
    }
    const now = new Date();
    const subjectIds: (string | null)[] = [];
    const results = inputs.map((input) => {
      const slot = slotOf(input);
      const row = slot === undefined ? undefined : kept.get(slot);
      if (row) {
        subjectIds.push(row.subject_id);
        return keptInto({ [out]: input }, row, suppressedOf(input));
      }
      const r = slot === undefined ? undefined : bySlot[slot];
      subjectIds.push(r?.resolved_id ?? null);
      const facts = r ? factsFromRow(r) : undefined;
      const d = this.decideFor(
        rules,
        dto.channel,
        r?.resolved_id ?? null,
        facts,
        r && r.status !== null ? r : undefined,
        r?.granted_elsewhere ?? false,
        suppressedOf(input),
        now,
      );
      return { [out]: input, ...d };
    });
    const decisionId = randomUUID();
    if (recordAs) {
      await this.log.recordBatch({
        id: decisionId,
        decidedAt: now,
        principal: recordAs,
        purposeKey: dto.purpose,
        channel: dto.channel,
        results: results.map((r, i) => ({
          subjectId: subjectIds[i],
          allowed: r.allowed,
          reason: r.reason,
          consentEventId: r.consentId ?? null,
        })),
      });
    }
    return { decisionId, results };
  }

  /** Validates purpose and channel from the purpose's columns (none: the purpose does not exist). */
  private rulesOf(r: PurposeRulesRow | undefined, channel: string): PurposeRules {
    if (!r) throw new ProblemError('unknown_purpose', 'No purpose with this key.');
    if (!r.channels.includes(channel as never)) {
      throw new ProblemError('channel_not_offered', 'The purpose does not offer this channel.', {
        channels: r.channels,
      });
    }
    return rulesFromRow(r);
  }

  /**
   * `here`: the subject's state for the purpose on this channel; `grantedOnOtherChannel`: a current
   * grant on another (turns no_consent into channel_not_consented).
   */
  private decideFor(
    rules: PurposeRules,
    channel: string,
    subjectId: string | null,
    facts: SubjectFacts | undefined,
    here: Parameters<typeof stateFromRow>[0] | undefined,
    grantedOnOtherChannel: boolean,
    identifierSuppressed: boolean,
    now: Date,
  ): Decision {
    const state = here ? stateFromRow(here) : undefined;
    const input = {
      purpose: rules,
      channel: channel as never,
      subject: subjectId ? facts : undefined,
      state,
      grantedOnOtherChannel,
      identifierSuppressed,
      now,
    };
    const until = decisionValidUntil(input);
    const outcome = { ...decide(input), ...(until ? { validUntil: until.toISOString() } : {}) };
    if (!state || outcome.reason === DecisionReason.LegalBasis) return outcome;
    return {
      ...outcome,
      consentId: state.eventId,
      version: state.version,
      ...(state.grantedAt ? { grantedAt: state.grantedAt.toISOString() } : {}),
    };
  }
}
