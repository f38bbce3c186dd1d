import { Injectable } from '@nestjs/common';
import { SubjectLookupService } from '../subjects';
import { SystemsService } from '../systems';

export interface SelectionCriteria {
  /** Keys of the systems breached; empty means every active system. */
  systems: string[];
  /** Categories of data breached; empty means any. */
  dataCategories: string[];
  from: Date;
  to: Date;
}

export interface Selection {
  /** The systems that matched the criteria, recorded with the selection. */
  systems: string[];
  /** Of those, the ones whose subjects Zgoda knows (identifiers scoped to the system): only they are taken. */
  linked: string[];
  /**
   * Of those, the ones it cannot tell who lives in (Zgoda itself, or no subject linked): everyone held in
   * the window is taken for them, and the answer says so.
   */
  assumedAll: string[];
  /** Subject ids in batches, so a breach of a large database never loads every id at once. */
  batches: AsyncIterable<string[]>;
}

/**
 * Decides who was affected by a breach. A provider, so a better source (a system's own export of the rows it
 * lost) can replace the default without touching the breach flow.
 */
export abstract class AffectedSubjectSelector {
  abstract select(criteria: SelectionCriteria): Promise<Selection>;
}

const BATCH = 1000;

/**
 * The default. The systems breached are the active ones named that hold one of the breached data categories.
 * For a system Zgoda can link subjects to (identifiers scoped to it, e.g. the shop's customer numbers) only
 * those subjects are taken. For Zgoda's own store, or a system no subject is linked to, Zgoda cannot tell
 * who was there, so every subject whose record was held during the window is taken: it over-selects rather
 * than misses someone, since an Art. 34 notice to a person whose data was in fact untouched is a lesser harm
 * than silence towards one whose data was not. The window bounds both: created by its end, not erased before
 * its start.
 */
@Injectable()
export class HeldInSystemsSelector extends AffectedSubjectSelector {
  constructor(
    private readonly subjects: SubjectLookupService,
    private readonly systemsService: SystemsService,
  ) {
    super();
  }

  async select(c: SelectionCriteria): Promise<Selection> {
    const matched = (await this.systemsService.listActive())
      .filter((s) => !c.systems.length || c.systems.includes(s.key))
      .filter((s) => !c.dataCategories.length || s.dataCategories.some((d) => c.dataCategories.includes(d)));
    const withLinks = await this.subjects.systemsWithSubjects(
      matched.filter((s) => s.kind !== 'internal').map((s) => s.key),
    );
    const linked = matched.filter((s) => withLinks.has(s.key)).map((s) => s.key);
    const assumedAll = matched.filter((s) => !withLinks.has(s.key)).map((s) => s.key);
    const scope = assumedAll.length ? null : linked;
    return {
      systems: matched.map((s) => s.key),
      linked,
      assumedAll,
      batches: matched.length ? this.ids(c.from, c.to, scope) : empty(),
    };
  }

  private async *ids(from: Date, to: Date, systems: string[] | null): AsyncIterable<string[]> {
    let after: string | undefined;
    for (;;) {
      const ids = await this.subjects.listIdsHeldBetween(from, to, systems, after, BATCH);
      if (ids.length) yield ids;
      if (ids.length < BATCH) return;
      after = ids[ids.length - 1];
    }
  }
}

async function* empty(): AsyncIterable<string[]> {
  return;
}
