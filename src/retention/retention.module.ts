import { Module } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { ConsentModule } from '../consent/consent.module';
import { OPEN_REQUEST_CHECK, RequestsOpenRequestCheck } from './open-request-check';
import { RetentionBatchRunner } from './retention-batch.runner';
import { ConsentExpiryService } from './consent-expiry.service';
import { RetentionFactsService } from './retention-facts.service';
import { RetentionNoticesService } from './retention-notices.service';
import { RetentionPoliciesController } from './retention-policies.controller';
import { RetentionPoliciesRepository } from './retention-policies.repository';
import { RetentionPoliciesService } from './retention-policies.service';
import { RetentionReviewsService } from './retention-reviews.service';
import { RetentionRunsController, RetentionReviewsController } from './retention-runs.controller';
import { RetentionRunsRepository } from './retention-runs.repository';
import { RetentionRunsService } from './retention-runs.service';
import { RetentionScheduler } from './retention-scheduler.service';

/**
 * Retention (LEGAL items 24-26): policies, scheduled and on-demand runs that enforce them on Zgoda's own
 * records, review tasks for the rest. Subjects and systems are global modules; consent is imported for
 * withdrawal times.
 */
@Module({
  imports: [ConsentModule],
  controllers: [RetentionPoliciesController, RetentionRunsController, RetentionReviewsController],
  providers: [
    Clock,
    RetentionPoliciesRepository,
    RetentionRunsRepository,
    RetentionPoliciesService,
    RetentionRunsService,
    RetentionReviewsService,
    RetentionFactsService,
    RetentionNoticesService,
    ConsentExpiryService,
    RetentionBatchRunner,
    RetentionScheduler,
    { provide: OPEN_REQUEST_CHECK, useClass: RequestsOpenRequestCheck },
  ],
  exports: [RetentionPoliciesService, Clock],
})
export class RetentionModule {}
