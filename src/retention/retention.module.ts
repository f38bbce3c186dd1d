import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from '../common/clock/clock';
import { ConsentModule } from '../consent';
import { RequestsModule } from '../requests';
import { OPEN_REQUEST_CHECK, RequestsOpenRequestCheck } from './open-request-check';
import { RetentionBatchCommit } from './retention-batch-commit.service';
import { RetentionBatchRunner } from './retention-batch.runner';
import { ConsentExpiriesRepository } from './consent-expiries.repository';
import { ConsentExpiryService } from './consent-expiry.service';
import { RetentionFactsService } from './retention-facts.service';
import { RetentionNoticesRepository } from './retention-notices.repository';
import { RetentionNoticesService } from './retention-notices.service';
import { RetentionPoliciesController } from './retention-policies.controller';
import { RetentionPoliciesRepository } from './retention-policies.repository';
import { RetentionPoliciesService } from './retention-policies.service';
import { RetentionReviewsService } from './retention-reviews.service';
import { RetentionRunsController, RetentionReviewsController } from './retention-runs.controller';
import { RetentionRunsRepository } from './retention-runs.repository';
import { RetentionRunsService } from './retention-runs.service';
import { RetentionScheduler } from './retention-scheduler.service';
import { RetentionTermsProvider } from './retention-terms.provider';
import { RETENTION_ENTITIES } from './retention.entities';

/**
 * Retention (LEGAL items 24-26): policies, scheduled and on-demand runs that enforce them on Zgoda's own
 * records, review tasks for the rest. Subjects and systems are global modules; consent is imported for
 * withdrawal times, requests for open requests.
 */
@Module({
  imports: [ConsentModule, RequestsModule, TypeOrmModule.forFeature(RETENTION_ENTITIES)],
  controllers: [RetentionPoliciesController, RetentionRunsController, RetentionReviewsController],
  providers: [
    Clock,
    RetentionPoliciesRepository,
    RetentionRunsRepository,
    RetentionNoticesRepository,
    ConsentExpiriesRepository,
    RetentionPoliciesService,
    RetentionRunsService,
    RetentionReviewsService,
    RetentionFactsService,
    RetentionNoticesService,
    ConsentExpiryService,
    RetentionBatchCommit,
    RetentionBatchRunner,
    RetentionScheduler,
    RetentionTermsProvider,
    { provide: OPEN_REQUEST_CHECK, useClass: RequestsOpenRequestCheck },
  ],
  // The console lists policies and runs and starts a dry run as the API does.
  exports: [RetentionPoliciesService, RetentionRunsService, Clock],
})
export class RetentionModule {}
