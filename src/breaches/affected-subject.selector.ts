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
  /** Subject ids in batches, so a breach of a large database never loads every id at once. */
  batches: AsyncIterable<string[]>;
}

/**
 * Decides who was affected by a breach. A provider, so a better source (a subject-to-system link, a
 * system's own export of the rows it lost) can replace the default without touching the breach flow.
 */
export abstract class AffectedSubjectSelector {
  abstract select(criteria: SelectionCriteria): Promise<Selection>;
}

const BATCH = 1000;

/**
 * The default, until Zgoda knows which subject lives in which system: when at least one active system
 * among those named holds one of the breached data categories, every subject whose record existed during
 * the window (created before its end, active after its start: `SubjectLookupService.listIdsActiveBetween`) is
 * selected. It over-selects rather than misses someone: an Art. 34 notice to a
 * person whose data was in fact untouched is a lesser harm than silence towards one whose data was not.
 */
@Injectable()
export class ActivityWindowSelector extends AffectedSubjectSelector {
  constructor(
    private readonly subjects: SubjectLookupService,
    private readonly systemsService: SystemsService,
  ) {
    super();
  }

  async select(c: SelectionCriteria): Promise<Selection> {
    const active = await this.systemsService.listActive();
    const systems = active
      .filter((s) => !c.systems.length || c.systems.includes(s.key))
      .filter((s) => !c.dataCategories.length || s.dataCategories.some((d) => c.dataCategories.includes(d)))
      .map((s) => s.key);
    return { systems, batches: systems.length ? this.ids(c.from, c.to) : empty() };
  }

  private async *ids(from: Date, to: Date): AsyncIterable<string[]> {
    let after: string | undefined;
    for (;;) {
      const ids = await this.subjects.listIdsActiveBetween(from, to, after, BATCH);
      if (ids.length) yield ids;
      if (ids.length < BATCH) return;
      after = ids[ids.length - 1];
    }
  }
}

async function* empty(): AsyncIterable<string[]> {
  return;
}
