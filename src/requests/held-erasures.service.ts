import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SubjectLookupService, SubjectRightsService } from '../subjects';
import { ZGODA_SYSTEM_KEY } from '../systems';
import { TaskPlanner } from './fulfilment/task-planner.service';
import { RequestIntake } from './request-intake.service';
import { RequestTransitions } from './request-transitions.service';
import { RequestsRepository } from './requests.repository';

const BATCH = 200;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Issue 13 item 3, Art. 17(3): an erasure that kept data under a legal hold is finished once no hold stands any
 * more (released, or its `until` passed). The request sweep files a follow-up erasure, verified by Zgoda itself
 * (`source: hold_ended`, `follows` naming the first), sent only to the systems that kept data and to Zgoda's own
 * store, which then erases the record it kept as the index. Its certificate says what was erased at last.
 */
@Injectable()
export class HeldErasures {
  private readonly logger = new Logger(HeldErasures.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly intake: RequestIntake,
    private readonly planner: TaskPlanner,
    private readonly transitions: RequestTransitions,
    private readonly subjects: SubjectLookupService,
    private readonly subjectRights: SubjectRightsService,
  ) {}

  /** Files the follow-ups that are due; the number filed. */
  async resume(): Promise<number> {
    let filed = 0;
    for (let after = FIRST_ID; ;) {
      const rows = await this.repo.heldErasures(after, BATCH);
      for (const row of rows) if (await this.followUp(row.id, row.subject_id)) filed += 1;
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1].id;
    }
    if (filed) this.logger.log({ filed }, 'held erasures resumed after their holds ended');
    return filed;
  }

  private async followUp(originalId: string, subjectId: string): Promise<boolean> {
    // Holds move to the survivor on a merge; an erased subject has nothing left to index the kept data by
    // (staff erased it by hand), so there is nothing Zgoda could send, and it is left alone.
    const survivor = await this.subjects.resolveId(subjectId);
    const profile = survivor ? await this.subjects.getProfile(survivor) : null;
    if (!survivor || !profile || profile.status === 'erased') return false;
    if ((await this.subjectRights.activeHolds(survivor)).length) return false;
    const kept = new Set(
      (await this.repo.tasksOf(originalId))
        .filter((t) => t.status === 'retained' && t.retainedReason === 'legal_hold')
        .map((t) => t.systemKey),
    );
    const plan = await this.planner.prepare({ type: 'erasure', subjectId: survivor }, null);
    plan.systems = plan.systems.filter((s) => s.key === ZGODA_SYSTEM_KEY || kept.has(s.key));
    // The recipients were told of the erasure with the first request.
    plan.recipients = [];
    return this.dataSource.transaction(async (m) => {
      const original = await this.repo.lock(m, originalId);
      if (!original || (await this.repo.followUpOf(m, originalId))) return false;
      // The same lock as the staff intake: an erasure already open for the subject does this work itself.
      await this.repo.advisoryLock(m, `request:${survivor}:erasure`);
      if (await this.repo.findOpenFor(m, survivor, 'erasure')) return false;
      const request = await this.intake.insert(m, {
        type: 'erasure',
        source: 'hold_ended',
        subjectId: survivor,
        receivedAt: new Date(),
        locale: original.locale,
        contact: null,
        details: null,
        follows: original.id,
      });
      await this.transitions.apply(m, request, 'verified', { data: { by: 'hold_ended', follows: original.id } });
      await this.planner.start(m, request, plan);
      return true;
    });
  }
}
