import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ChangeFeedRepository } from './change-feed.repository';
import { ConsentBulkRepository, Triple } from './consent-bulk.repository';
import { ConsentEvent } from './consent-event.entity';
import { applyEvent, StateFacts } from './consent-rules';
import { ConsentWebhooksService } from './consent-webhooks.service';
import { DecisionRowsService } from './decision-rows.service';
import { changeType, ConsentWriter, EventDraft } from './consent-writer.service';
import { ConsentEventKind } from './consent.types';

export type BulkOutcome =
  { event: Omit<ConsentEvent, 'seq'> } | 'skipped' | { error: { field: string; code: string; message: string } };

/** A draft whose subject the caller locked (FOR KEY SHARE, as `SubjectImporter.lockOrCreate` does). */
export interface LockedDraft {
  draft: EventDraft;
  /** The subject is erased: a grant is refused, a withdrawal is kept without evidence. */
  erased: boolean;
}

/**
 * Issue 14 item 1: an import's batch of events, written with the effect `ConsentWriter.writeIn` has one event
 * after another in input order (the same locks, rows, projection, change feed and webhooks; an event expressed
 * before others takes its place in their order), in a constant number of statements for the whole batch.
 * No audit entry per event: the caller appends one for the batch, in the same transaction.
 */
@Injectable()
export class ConsentBulkWriter {
  constructor(
    private readonly bulk: ConsentBulkRepository,
    private readonly writer: ConsentWriter,
    private readonly changes: ChangeFeedRepository,
    private readonly webhooks: ConsentWebhooksService,
    private readonly decisions: DecisionRowsService,
  ) {}

  async writeMany(m: EntityManager, items: LockedDraft[]): Promise<BulkOutcome[]> {
    const triple = ({ draft }: LockedDraft): Triple => ({
      subjectId: draft.subjectId,
      purposeKey: draft.purpose.key,
      channel: draft.channel,
    });
    await this.bulk.lockTriples(m, items.map(triple));
    // Under the triples' locks, so a file imported twice at once still writes each row once.
    const taken = await this.bulk.takenImportKeys(
      m,
      items.flatMap(({ draft }) => (draft.importKey ? [draft.importKey] : [])),
    );
    const controller = await this.writer.controllerIdentity(m);
    const planned = items.map(
      ({ draft, erased }): Promise<Awaited<ReturnType<ConsentWriter['compose']>>> | BulkOutcome => {
        if (erased && (draft.decision === ConsentEventKind.Granted || draft.decision === ConsentEventKind.Confirmed)) {
          return { error: { field: 'subject', code: 'subject_erased', message: 'the subject has been erased' } };
        }
        if (draft.importKey && taken.has(draft.importKey)) return 'skipped';
        if (draft.importKey) taken.add(draft.importKey);
        return this.writer.compose(draft, draft.subjectId, erased, controller);
      },
    );
    // Receipts are signed on the thread pool: the batch's signatures run side by side, not one after another.
    const composed = await Promise.all(planned);
    const outcomes: BulkOutcome[] = [];
    const events: Omit<ConsentEvent, 'seq'>[] = [];
    const evidence: { eventId: string; subjectId: string; sealed: Buffer }[] = [];
    for (const c of composed) {
      if (c === 'skipped' || !('evidence' in c)) {
        outcomes.push(c);
        continue;
      }
      events.push(c.event);
      if (c.evidence) evidence.push(c.evidence);
      outcomes.push({ event: c.event });
    }
    await this.bulk.insertEvidence(m, evidence);
    await this.bulk.insertEvents(m, events);
    await this.project(m, events);
    await this.changes.append(
      m,
      events.map((e) => ({
        type: changeType(e),
        subjectId: e.subjectId,
        purposes: [e.purposeKey],
        channels: [e.channel],
      })),
    );
    await this.decisions.refresh(
      m,
      events.map((e) => e.subjectId),
      [...new Set(events.map((e) => e.purposeKey))],
    );
    await this.webhooks.enqueueChangedMany(m, events);
    return outcomes;
  }

  /** Each touched triple's state: the rules applied to its whole history (the batch's events in it) in order. */
  private async project(m: EntityManager, events: Omit<ConsentEvent, 'seq'>[]): Promise<void> {
    const touched = new Map<string, Triple>();
    for (const e of events) {
      touched.set(`${e.subjectId}|${e.purposeKey}|${e.channel}`, {
        subjectId: e.subjectId,
        purposeKey: e.purposeKey,
        channel: e.channel,
      });
    }
    const states = new Map<string, Triple & { state: StateFacts | undefined }>();
    for (const e of await this.bulk.tripleEvents(m, [...touched.values()])) {
      const key = `${e.subjectId}|${e.purposeKey}|${e.channel}`;
      const entry = states.get(key) ?? { ...touched.get(key)!, state: undefined };
      entry.state = applyEvent(entry.state, e);
      states.set(key, entry);
    }
    await this.bulk.upsertStates(
      m,
      [...states.values()].flatMap((s) => (s.state ? [{ ...s, state: s.state }] : [])),
    );
  }
}
