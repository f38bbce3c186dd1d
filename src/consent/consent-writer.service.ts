import { ModuleRef } from '@nestjs/core';
import { CONTROLLER_IDENTITY, ControllerIdentity, ControllerIdentitySource } from './controller-identity';
import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import { canonicalJson } from '../common/json/canonical-json';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { SubjectLifecycleService } from '../subjects';
import { ConsentEvent } from './consent-event.entity';
import { applyEvent, StateFacts } from './consent-rules';
import { ConsentState } from './consent-state.entity';
import { ConsentWebhooksService } from './consent-webhooks.service';
import { Channel, ConsentEventKind, EventReason, ExpressedBy, SourceMethod } from './consent.types';
import { ConsentRepository } from './consent.repository';
import { ConsentEventAppendRepository, THIS_EVENT_SEQ } from './consent-event-append.repository';
import { Purpose } from './purpose.entity';
import { buildReceipt } from './receipt-payload';
import { ReceiptsService } from './receipts.service';
import { DecisionRowsService } from './decision-rows.service';

/** Everything an event says, decided by the caller; the writer only orders, stores and signs it. */
export interface EventDraft {
  subjectId: string;
  purpose: Purpose;
  channel: Channel;
  decision: ConsentEventKind;
  reason: EventReason | null;
  version: number;
  locale: string;
  textSha256: string;
  pending: boolean;
  confirmsEventId: string | null;
  /** A fixed end of validity, if any. */
  expiresAt: Date | null;
  /** Validity counted from when the consent was expressed (the purpose's validityDays); the earlier end wins. */
  validityDays: number | null;
  /**
   * When the person expressed it, when that was before it reached Zgoda (a paper form, an imported history);
   * omitted: now. Not in the future (the caller checks).
   */
  occurredAt?: Date;
  /** An imported row's identity: a second event with it is not written (issue 14 item 1). */
  importKey?: string;
  /** The import and row that brought it in. */
  importOrigin?: { id: string; row: number };
  sourceMethod: SourceMethod;
  sourceLocation: string | null;
  sourceStaffId: string | null;
  expressedBy: ExpressedBy;
  gpc: boolean;
  suppressed: boolean;
  evidence: Record<string, unknown> | null;
}

export interface WriteOptions {
  /** Checked under the lock against the current state; when false nothing is written and null returned. */
  precondition?: (current: StateFacts | undefined) => boolean;
  /** For public routes, where no API key acts: who the audit entry names. */
  actor?: { type: string; id: string };
  /** Extra work in the same transaction (e.g. queueing the double opt-in e-mail). */
  after?: (m: EntityManager, event: ConsentEvent) => Promise<void>;
  /**
   * The subject was created in this very transaction (a grant that creates its subject). Nobody else can see it
   * until the commit, so no merge, erasure or second write can race this one: the subject's and the triple's locks
   * and the read of a state that cannot exist are skipped (three round trips of a web form's grant).
   */
  createdInThisTransaction?: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

/** The change feed's type for an event (issue 14 item 2). */
export const changeType = (draft: Pick<EventDraft, 'reason' | 'decision'>) =>
  draft.reason === EventReason.Gpc ? ('gpc' as const) : (`consent_${draft.decision}` as const);

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

export const stateFacts = (s: ConsentState | null): StateFacts | undefined =>
  s
    ? {
        status: s.status,
        eventId: s.eventId,
        lastSeq: String(s.lastSeq),
        version: s.version,
        locale: s.locale,
        textSha256: s.textSha256,
        grantedAt: s.grantedAt,
        confirmedAt: s.confirmedAt,
        expiresAt: s.expiresAt,
        pending: s.pending,
        expressedBy: s.expressedBy,
        suppressed: s.suppressed,
      }
    : undefined;

@Injectable()
export class ConsentWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ConsentRepository,
    private readonly events: ConsentEventAppendRepository,
    private readonly receipts: ReceiptsService,
    private readonly audit: AuditService,
    private readonly crypto: CryptoService,
    private readonly webhooks: ConsentWebhooksService,
    private readonly env: Env,
    private readonly subjects: SubjectLifecycleService,
    private readonly moduleRef: ModuleRef,
    private readonly decisions: DecisionRowsService,
  ) {}

  /** The controller as the register's settings name it; the environment when no register is loaded. */
  async controllerIdentity(m: EntityManager): Promise<ControllerIdentity> {
    let source: ControllerIdentitySource | undefined;
    try {
      source = this.moduleRef.get<ControllerIdentitySource>(CONTROLLER_IDENTITY, { strict: false });
    } catch {
      // No provider in this composition (a test module without the register): the name from the environment.
      source = undefined;
    }
    // On the transaction's own connection: under concurrent writes a second pool connection may never come.
    return source ? source.controllerIdentity(m) : { name: this.env.CONTROLLER_NAME, address: null, contact: null };
  }

  /**
   * Appends the event, moves the projection and writes the audit entry and the change notifications,
   * all in one transaction: a decision is never visible without its proof, nor the other way round.
   */
  async write(draft: EventDraft, options: WriteOptions = {}): Promise<ConsentEvent | null> {
    // The key before the transaction: the first receipt of an installation creates it on a connection of its own,
    // which 10 concurrent writers holding the whole pool would wait for forever.
    await this.receipts.ready();
    return this.dataSource.transaction((m) => this.writeIn(m, draft, options));
  }

  /** `write` inside the caller's transaction (a change of the subject's that withdraws consents with it). */
  async writeIn(m: EntityManager, draft: EventDraft, options: WriteOptions = {}): Promise<ConsentEvent | null> {
    const { purpose, channel } = draft;
    // The subject first, then the triple: the order a merge or an erasure takes them (subject rows,
    // then consent rows). Without it a withdrawal racing a merge of its subject was written under the
    // merged id after the merge had folded that id's states into the survivor: the survivor kept the
    // grant (and an erasure racing a grant left the grant's evidence behind).
    const fresh = options.createdInThisTransaction === true;
    const live = fresh
      ? { id: draft.subjectId, status: 'active' }
      : await this.subjects.lockForConsent(m, draft.subjectId);
    if (!live) throw new ProblemError('unknown_subject', 'No subject with this id.');
    const erased = live.status === 'erased';
    if (erased && (draft.decision === ConsentEventKind.Granted || draft.decision === ConsentEventKind.Confirmed)) {
      throw new ProblemError('subject_erased', 'This subject has been erased.');
    }
    const subjectId = live.id;
    let current: StateFacts | undefined;
    if (!fresh) {
      await this.repo.lockTriple(m, subjectId, purpose.key, channel);
      current = stateFacts(await this.repo.findState(m, subjectId, purpose.key, channel));
    }
    if (options.precondition && !options.precondition(current)) return null;

    const { event, evidence } = await this.compose(draft, subjectId, erased, await this.controllerIdentity(m));
    if (evidence) await this.repo.insertEvidence(m, evidence);
    // The event, the state it moves to and the change-feed row (issue 14 item 2) in one statement. An event expressed
    // before others already recorded (a dated paper form) takes its place in their order: its state is the rules
    // applied to the whole history in that order, as if it had been recorded in time, so it is folded after the insert.
    const backDated = !!draft.occurredAt;
    const next = backDated ? null : (applyEvent(current, { ...event, seq: THIS_EVENT_SEQ }) ?? null);
    const seq = await this.events.append(m, event, next, changeType(draft));
    const saved = { ...event, seq } as ConsentEvent;
    if (backDated) {
      const folded = (await this.repo.tripleEvents(m, subjectId, purpose.key, channel)).reduce<StateFacts | undefined>(
        (state, e) => applyEvent(state, e),
        undefined,
      );
      if (folded) await this.repo.upsertState(m, subjectId, purpose.key, channel, folded);
    }
    // Issue 16 item 1: the kept decisions of this subject and purpose, every channel (another channel's grant counts).
    await this.decisions.refresh(m, [subjectId], [purpose.key]);

    await this.audit.append(m, {
      action: `consent.${draft.decision}`,
      targetType: 'consent',
      targetId: event.id,
      subjectId,
      ...(options.actor ? { actor: options.actor } : {}),
      data: {
        purpose: purpose.key,
        channel,
        version: draft.version,
        sha256: draft.textSha256,
        pending: draft.pending,
        reason: draft.reason,
        gpc: draft.gpc,
        ...(draft.confirmsEventId ? { confirms: draft.confirmsEventId } : {}),
      },
    });
    await this.webhooks.enqueueChanged(m, saved);
    if (options.after) await options.after(m, saved);
    return saved;
  }

  /**
   * The event as it is stored, evidence sealed and receipt signed: taken after the caller's locks, so that time
   * order and lock order agree for the as-of view. Shared by the live write and an import's batch.
   */
  async compose(
    draft: EventDraft,
    subjectId: string,
    erased: boolean,
    controller: ControllerIdentity,
  ): Promise<{
    event: Omit<ConsentEvent, 'seq'>;
    evidence: { eventId: string; subjectId: string; sealed: Buffer } | null;
  }> {
    const { purpose, channel } = draft;
    const recordedAt = new Date();
    const occurredAt = draft.occurredAt ?? recordedAt;
    const expiresAt = earliest(
      draft.expiresAt,
      draft.validityDays ? new Date(occurredAt.getTime() + draft.validityDays * DAY_MS) : null,
    );
    const id = randomUUID();
    let evidenceSha256: string | null = null;
    let evidence: { eventId: string; subjectId: string; sealed: Buffer } | null = null;
    // Art. 17: nothing personal is stored for an erased subject, not even a withdrawal's evidence.
    if (!erased && draft.evidence && Object.keys(draft.evidence).length) {
      const plain = canonicalJson(draft.evidence);
      evidenceSha256 = createHash('sha256').update(plain, 'utf8').digest('hex');
      const sealed = this.crypto.seal(plain, `consent_evidence:${id}`);
      evidence = { eventId: id, subjectId, sealed };
    }
    const receipt =
      draft.decision === ConsentEventKind.Confirmed
        ? null
        : await this.receipts.sign(
            buildReceipt({
              eventId: id,
              subjectId,
              occurredAt,
              decision: draft.decision,
              pending: draft.pending,
              channel,
              locale: draft.locale,
              version: draft.version,
              textSha256: draft.textSha256,
              expiresAt,
              sourceMethod: draft.sourceMethod,
              purpose,
              controller,
              storageLocation: this.env.DATA_STORAGE_LOCATION,
              baseUrl: this.env.PUBLIC_BASE_URL,
            }),
          );
    const event: Omit<ConsentEvent, 'seq'> = {
      id,
      subjectId,
      purposeKey: purpose.key,
      channel,
      decision: draft.decision,
      reason: draft.reason,
      version: draft.version,
      locale: draft.locale,
      textSha256: draft.textSha256,
      pending: draft.pending,
      confirmsEventId: draft.confirmsEventId,
      recordedAt,
      occurredAt,
      importKey: draft.importKey ?? null,
      importId: draft.importOrigin?.id ?? null,
      importRow: draft.importOrigin?.row ?? null,
      expiresAt,
      sourceMethod: draft.sourceMethod,
      sourceLocation: draft.sourceLocation,
      sourceStaffId: draft.sourceStaffId,
      expressedBy: draft.expressedBy,
      gpc: draft.gpc,
      suppressed: draft.suppressed,
      evidenceSha256,
      receipt,
    };
    return { event, evidence };
  }
}
