import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface SubjectMergedEvent {
  survivorId: string;
  mergedId: string;
}

export interface SubjectErasedEvent {
  subjectId: string;
  /** The caller's reason code (`request:<id>`, `retention:<policy>`, ...). */
  reason: string;
}

/** Art. 21(3): the subject objected to direct marketing (from now on, until they opt in again themselves). */
export interface SubjectObjectedEvent {
  subjectId: string;
}

/** A change of the subject's that alters what may be done with their data (the consent change feed follows it). */
export interface SubjectChangedEvent {
  subjectId: string;
  change:
    | 'objection'
    | 'objection_overruled'
    | 'restriction_placed'
    | 'restriction_lifted'
    | 'came_of_age'
    | 'birth_date_changed';
  /** For an objection to named purposes (Art. 21(1)); omitted: every purpose. */
  purposes?: string[];
}

type Hook<E> = (manager: EntityManager, event: E) => Promise<void>;
type ManyHook<E> = (manager: EntityManager, events: E[]) => Promise<void>;

/**
 * Lets other modules act inside the transaction of a merge or an erasure, without the subjects module
 * knowing their tables: consents and requests re-point their rows to the survivor; notifications drop
 * sealed copies of an erased subject's address. A hook that throws rolls the whole change back.
 *
 * Register in `onModuleInit`: `hooks.onMerged((m, e) => this.repo.repoint(m, e.mergedId, e.survivorId))`.
 * Erasures come in batches (a retention batch erases hundreds of subjects in one transaction): a module
 * whose work is set-based registers `onErasedMany`, so a batch costs it a constant number of statements.
 */
@Injectable()
export class SubjectHooks {
  private readonly merged: { name: string; fn: Hook<SubjectMergedEvent> }[] = [];
  private readonly erased: { name: string; fn: ManyHook<SubjectErasedEvent> }[] = [];
  private readonly objected: { name: string; fn: Hook<SubjectObjectedEvent> }[] = [];
  private readonly changed: { name: string; fn: Hook<SubjectChangedEvent> }[] = [];

  onChanged(name: string, fn: Hook<SubjectChangedEvent>): void {
    this.changed.push({ name, fn });
  }

  async runChanged(m: EntityManager, event: SubjectChangedEvent): Promise<void> {
    for (const h of this.changed) await h.fn(m, event);
  }

  onObjectedToDirectMarketing(name: string, fn: Hook<SubjectObjectedEvent>): void {
    this.objected.push({ name, fn });
  }

  async runObjectedToDirectMarketing(m: EntityManager, event: SubjectObjectedEvent): Promise<string[]> {
    for (const h of this.objected) await h.fn(m, event);
    return this.objected.map((h) => h.name);
  }

  onMerged(name: string, fn: Hook<SubjectMergedEvent>): void {
    this.merged.push({ name, fn });
  }

  onErased(name: string, fn: Hook<SubjectErasedEvent>): void {
    this.erased.push({
      name,
      fn: async (m, events) => {
        for (const e of events) await fn(m, e);
      },
    });
  }

  /** The same, called once with every subject erased in the transaction (one or many). */
  onErasedMany(name: string, fn: ManyHook<SubjectErasedEvent>): void {
    this.erased.push({ name, fn });
  }

  /** Names of the hooks run, for the audit entry: which modules followed the change. */
  async runMerged(m: EntityManager, event: SubjectMergedEvent): Promise<string[]> {
    for (const h of this.merged) await h.fn(m, event);
    return this.merged.map((h) => h.name);
  }

  async runErased(m: EntityManager, event: SubjectErasedEvent): Promise<string[]> {
    return this.runErasedMany(m, [event]);
  }

  async runErasedMany(m: EntityManager, events: SubjectErasedEvent[]): Promise<string[]> {
    if (events.length) for (const h of this.erased) await h.fn(m, events);
    return this.erased.map((h) => h.name);
  }
}
