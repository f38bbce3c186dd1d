import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { currentActor } from './current-actor';
import { RetentionReviewTask } from './retention-review-task.entity';
import { RetentionRunsRepository } from './retention-runs.repository';
import { ReviewResolution } from './retention.types';

/** Review tasks: data a `review` policy says is due, for a person to decide about. */
@Injectable()
export class RetentionReviewsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RetentionRunsRepository,
    private readonly audit: AuditService,
  ) {}

  list(
    filter: { status?: string; policyKey?: string },
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<RetentionReviewTask[]> {
    return this.repo.listReviews(filter, after, limit);
  }

  /** Resolving twice with the same answer is a no-op; a different answer is a 409. */
  async resolve(id: string, resolution: ReviewResolution): Promise<RetentionReviewTask> {
    return this.dataSource.transaction(async (m) => {
      const task = await this.repo.lockReview(m, id);
      if (!task) throw new ProblemError('not_found', 'No review task with this id.');
      if (task.status === 'resolved') {
        if (task.resolution === resolution) return task;
        throw new ProblemError('invalid_transition', 'This review task is already resolved.');
      }
      const patch = { status: 'resolved' as const, resolution, resolvedAt: new Date(), resolvedBy: currentActor() };
      await this.repo.updateReview(m, id, patch);
      await this.audit.append(m, {
        action: 'retention.review_resolved',
        targetType: 'retention_review_task',
        targetId: id,
        subjectId: task.subjectId,
        data: { policy: task.policyKey, resolution },
      });
      return { ...task, ...patch };
    });
  }
}
