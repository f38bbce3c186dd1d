import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobHandler } from '../../jobs';
import type { JobPayloads } from '../../jobs';
import { RequestsRepository } from '../requests.repository';
import { TaskPlanner } from './task-planner.service';

/**
 * Job `requests.start`: starts the work of a request verified elsewhere (an OpenGDPR controller), in the
 * worker, so the intake answers at once and the controller may still cancel while it is pending.
 */
@Injectable()
export class RequestStarter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly planner: TaskPlanner,
  ) {}

  @JobHandler('requests.start')
  async start(payload: JobPayloads['requests.start']): Promise<{ started: boolean }> {
    const peek = await this.repo.find(payload.requestId);
    if (peek?.status !== 'verified') return { started: false };
    const plan = await this.planner.prepareFor(peek);
    return this.dataSource.transaction(async (m) => {
      const r = await this.repo.lock(m, payload.requestId);
      // Cancelled meanwhile, or a second delivery after the first started it.
      if (r?.status !== 'verified') return { started: false };
      await this.planner.start(m, r, plan);
      return { started: true };
    });
  }
}
