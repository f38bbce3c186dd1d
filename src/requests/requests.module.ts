import { ObjectionAssessments } from './objection-assessment.service';
import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsentModule } from '../consent';
import { SubjectHooks } from '../subjects';
import { RequestStarter } from './fulfilment/request-starter.service';
import { TaskPlanner } from './fulfilment/task-planner.service';
import { TaskResults } from './fulfilment/task-results.service';
import { TaskRunner } from './fulfilment/task-runner.service';
import { TaskSettlement } from './fulfilment/task-settlement.service';
import { WebhookCaller } from './fulfilment/webhook-caller';
import { ZgodaExecutor } from './fulfilment/zgoda-executor';
import { OpenRequestsRepository } from './open-requests.repository';
import { OpenRequestsService } from './open-requests.service';
import { OpenGdprCallbacks } from './opengdpr/opengdpr-callbacks.service';
import { OpenGdprSigner } from './opengdpr/opengdpr-signer.service';
import { OpenGdprController } from './opengdpr/opengdpr.controller';
import { OpenGdprRepository } from './opengdpr/opengdpr.repository';
import { OpenGdprService } from './opengdpr/opengdpr.service';
import { Finaliser } from './outputs/finaliser.service';
import { RetentionTerms } from './outputs/retention-terms';
import { RequestOutputs } from './outputs/request-outputs.service';
import { SigningKeysRepository } from './outputs/signing-keys.repository';
import { SigningKeys } from './outputs/signing-keys.service';
import { PublicRequestsController } from './public-requests.controller';
import { PublicRequestsService } from './public-requests.service';
import { RequestResultPurge } from './request-result-purge.service';
import { RequestDeadlines } from './request-deadlines.service';
import { HeldErasures } from './held-erasures.service';
import { RequestIntake } from './request-intake.service';
import { RequestNotices } from './request-notices.service';
import { RequestTasksController } from './request-tasks.controller';
import { RequestTokensRepository } from './request-tokens.repository';
import { RequestTokens } from './request-tokens.service';
import { RequestTransitions } from './request-transitions.service';
import { RequestVault } from './request-vault.service';
import { RequestsController } from './requests.controller';
import { REQUESTS_ENTITIES } from './requests.entities';
import { RequestsRepository } from './requests.repository';
import { RequestsService } from './requests.service';

/** Data-subject requests (Art. 12-22): intake, verification, the legal clock, fulfilment across systems. */
@Module({
  imports: [TypeOrmModule.forFeature(REQUESTS_ENTITIES), ConsentModule],
  controllers: [RequestsController, RequestTasksController, PublicRequestsController, OpenGdprController],
  providers: [
    RequestsRepository,
    RequestTokensRepository,
    RequestVault,
    RequestTransitions,
    RequestNotices,
    RequestTokens,
    RequestIntake,
    RequestsService,
    PublicRequestsService,
    TaskPlanner,
    TaskSettlement,
    TaskRunner,
    TaskResults,
    WebhookCaller,
    ZgodaExecutor,
    Finaliser,
    SigningKeysRepository,
    SigningKeys,
    RequestOutputs,
    RequestDeadlines,
    HeldErasures,
    RequestResultPurge,
    RequestStarter,
    OpenGdprRepository,
    OpenGdprSigner,
    OpenGdprService,
    OpenGdprCallbacks,
    OpenRequestsRepository,
    OpenRequestsService,
    ObjectionAssessments,
    RetentionTerms,
  ],
  // The portal (src/portal) files, verifies and shows requests through the public service.
  exports: [
    RequestsService,
    RequestIntake,
    RequestTransitions,
    PublicRequestsService,
    RequestOutputs,
    OpenRequestsService,
    RetentionTerms,
    // The console records a manual task's outcome as the API does.
    TaskResults,
  ],
})
export class RequestsModule implements OnModuleInit {
  constructor(
    private readonly hooks: SubjectHooks,
    private readonly repo: RequestsRepository,
  ) {}

  onModuleInit(): void {
    // Art. 17 reaches the module's own sealed copies; a merge moves requests to the surviving record.
    this.hooks.onErasedMany('requests', (m, events) =>
      this.repo.wipeForErasedSubjects(
        m,
        events.map((e) => e.subjectId),
      ),
    );
    this.hooks.onMerged('requests', (m, e) => this.repo.repoint(m, e.mergedId, e.survivorId));
  }
}
