import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IdentifierKind } from '../common/identifiers/normalise';
import { ProblemError } from '../common/problem/problem.error';
import { SubjectsService } from '../subjects/subjects.service';
import { decide, DecisionOutcome, PurposeRules, StateFacts, SubjectFacts } from './consent-rules';
import { ConsentDecision, DecisionReason } from './consent.types';
import { BatchDecisionDto, DecisionQuery, MAX_BATCH } from './consent-decision.dto';
import { ConsentRepository, DecisionRow } from './consent.repository';

export interface Decision extends DecisionOutcome {
  consentId?: string;
  version?: number;
  grantedAt?: string;
}

type ListField = 'subjectIds' | 'emails' | 'phones' | 'externalIds';
const LISTS: { field: ListField; kind: IdentifierKind | null; out: string }[] = [
  { field: 'subjectIds', kind: null, out: 'subjectId' },
  { field: 'emails', kind: 'email', out: 'email' },
  { field: 'phones', kind: 'phone', out: 'phone' },
  { field: 'externalIds', kind: 'external_id', out: 'externalId' },
];

const rowState = (r: DecisionRow): StateFacts => ({
  status: r.status!,
  eventId: r.event_id!,
  lastSeq: '0',
  version: r.version!,
  locale: '',
  textSha256: '',
  grantedAt: r.granted_at,
  confirmedAt: null,
  expiresAt: r.expires_at,
  pending: r.pending!,
  expressedBy: r.expressed_by!,
  suppressed: r.suppressed!,
});

/**
 * The hot path. Reads the projection (never the event log), the subject facts and, for identifiers, the
 * suppression list; a constant number of round trips whatever the batch size. Expiry is compared with
 * the current time, so a consent says no from the instant it expires.
 */
@Injectable()
export class ConsentDecisionService {
  constructor(
    private readonly repo: ConsentRepository,
    private readonly subjects: SubjectsService,
  ) {}

  async checkOne(q: DecisionQuery): Promise<Decision & { decisionId: string }> {
    const given = (['subjectId', 'email', 'phone', 'externalId'] as const).filter((k) => q[k] !== undefined);
    if (given.length !== 1) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'subjectId', message: 'give exactly one of subjectId, email, phone, externalId' }],
      });
    }
    let subjectId: string | null;
    let suppressed = false;
    let facts: Map<string, SubjectFacts>;
    let rows: DecisionRow[];
    if (q.subjectId) {
      // One round trip in the common case: resolution, facts and projection in parallel, read again
      // only when the id turns out to have been merged into another record.
      const given = q.subjectId;
      [subjectId, facts, rows] = await Promise.all([
        this.subjects.resolveId(given),
        this.subjects.getDecisionFacts([given]),
        this.repo.decisionRows(q.purpose, [given]),
      ]);
      if (subjectId && subjectId !== given) [facts, rows] = await this.read(q.purpose, [subjectId]);
    } else {
      const kind: IdentifierKind = q.email ? 'email' : q.phone ? 'phone' : 'external_id';
      const raw = (q.email ?? q.phone ?? q.externalId)!;
      [subjectId, suppressed] = await Promise.all([
        this.subjects.findIdByIdentifier(kind, raw),
        this.subjects.isSuppressed(kind, raw),
      ]);
      [facts, rows] = await this.read(q.purpose, subjectId ? [subjectId] : []);
    }
    const rules = this.rules(rows, q.channel);
    const decision = this.decideFor(rules, q.channel, subjectId, facts, rows, suppressed);
    return { ...decision, decisionId: randomUUID() };
  }

  async checkBatch(dto: BatchDecisionDto) {
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
    const unique = [...new Set(inputs)];
    let idOf: Map<string, string>;
    let suppressed = new Set<string>();
    if (kind === null) {
      idOf = new Map(unique.map((id) => [id, id]));
    } else {
      [idOf, suppressed] = await Promise.all([
        this.subjects.findIdsByIdentifiers(kind, unique),
        this.subjects.suppressedSet(kind, unique),
      ]);
    }
    const [facts, rows] = await this.read(dto.purpose, [...new Set(idOf.values())]);
    const rules = this.rules(rows, dto.channel);
    const bySubject = new Map<string, DecisionRow[]>();
    for (const r of rows) {
      if (!r.subject_id) continue;
      const list = bySubject.get(r.subject_id) ?? [];
      list.push(r);
      bySubject.set(r.subject_id, list);
    }
    const results = inputs.map((input) => {
      const id = idOf.get(input) ?? null;
      const d = this.decideFor(rules, dto.channel, id, facts, bySubject.get(id ?? '') ?? [], suppressed.has(input));
      return { [out]: input, ...d };
    });
    return { decisionId: randomUUID(), results };
  }

  private read(purposeKey: string, ids: string[]): Promise<[Map<string, SubjectFacts>, DecisionRow[]]> {
    return Promise.all([
      ids.length ? this.subjects.getDecisionFacts(ids) : Promise.resolve(new Map<string, SubjectFacts>()),
      this.repo.decisionRows(purposeKey, ids),
    ]);
  }

  /** Validates purpose and channel from the decision query's purpose columns. */
  rules(rows: DecisionRow[], channel: string): PurposeRules {
    if (!rows.length) throw new ProblemError('unknown_purpose', 'No purpose with this key.');
    const r = rows[0];
    if (!r.channels.includes(channel as never)) {
      throw new ProblemError('channel_not_offered', 'The purpose does not offer this channel.', {
        channels: r.channels,
      });
    }
    return {
      legalBasis: r.legal_basis,
      marketing: r.marketing,
      minimumAge: r.minimum_age,
      reconsentFromVersion: r.reconsent_from_version,
    };
  }

  private decideFor(
    rules: PurposeRules,
    channel: string,
    subjectId: string | null,
    facts: Map<string, SubjectFacts>,
    rows: DecisionRow[],
    identifierSuppressed: boolean,
  ): Decision {
    const mine = rows.filter((r) => r.subject_id === subjectId && r.status !== null);
    const here = mine.find((r) => r.channel === channel);
    const now = new Date();
    const state = here ? rowState(here) : undefined;
    const grantedOnOtherChannel = mine.some(
      (r) =>
        r.channel !== channel &&
        r.status === ConsentDecision.Granted &&
        !r.pending &&
        (!r.expires_at || r.expires_at.getTime() > now.getTime()),
    );
    const outcome = decide({
      purpose: rules,
      channel: channel as never,
      subject: subjectId ? facts.get(subjectId) : undefined,
      state,
      grantedOnOtherChannel,
      identifierSuppressed,
      now,
    });
    if (!state || outcome.reason === DecisionReason.LegalBasis) return outcome;
    return {
      ...outcome,
      consentId: state.eventId,
      version: state.version,
      ...(state.grantedAt ? { grantedAt: state.grantedAt.toISOString() } : {}),
    };
  }
}
