import { PreferenceLinkMailer } from './preference-link-mailer.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONSENT_ENTITIES } from './consent.entities';
import { Module } from '@nestjs/common';
import { SubjectsModule } from '../subjects';
import { AudienceService } from './audience.service';
import { ConsentDecisionController } from './consent-decision.controller';
import { ConsentDecisionService } from './consent-decision.service';
import { DecisionLogRepository } from './decision-log.repository';
import { ChangeFeedRepository } from './change-feed.repository';
import { ChangeFeed } from './change-feed.service';
import { ChangesController } from './changes.controller';
import { ImportRunner } from './import-runner.service';
import { ImportTexts } from './import-texts.service';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';
import { DecisionLog } from './decision-log.service';
import { ConsentLinksService } from './consent-links.service';
import { ConsentQueryService } from './consent-query.service';
import { ConsentWebhooksController } from './consent-webhooks.controller';
import { ConsentWebhooksRepository } from './consent-webhooks.repository';
import { ConsentWebhooksService } from './consent-webhooks.service';
import { ConsentBulkWriter } from './consent-bulk-writer.service';
import { ConsentBulkRepository } from './consent-bulk.repository';
import { ConsentWriter } from './consent-writer.service';
import { ConsentRepository } from './consent.repository';
import { DecisionRowsRepository } from './decision-rows.repository';
import { DecisionRowsService } from './decision-rows.service';
import { ConsentSubjectHooks } from './consent-subject-hooks';
import { ConsentsController } from './consents.controller';
import { ConsentsService } from './consents.service';
import { DoubleOptInService } from './double-opt-in.service';
import { GpcController, PublicConsentController } from './public-consent.controller';
import { PublicConsentService } from './public-consent.service';
import { PurposesController } from './purposes.controller';
import { PurposesRepository } from './purposes.repository';
import { PurposesService } from './purposes.service';
import { ReceiptsController } from './receipts.controller';
import { ReceiptKeysRepository } from './receipt-keys.repository';
import { ReceiptsService } from './receipts.service';
import { TextsService } from './texts.service';
import { ConsentCheckRoute } from './consent-check.route';
import { ConsentEventAppendRepository } from './consent-event-append.repository';

@Module({
  imports: [TypeOrmModule.forFeature(CONSENT_ENTITIES), SubjectsModule],
  controllers: [
    PurposesController,
    ReceiptsController,
    ConsentsController,
    ConsentDecisionController,
    ConsentWebhooksController,
    PublicConsentController,
    GpcController,
    ChangesController,
    ImportsController,
  ],
  providers: [
    PurposesRepository,
    ConsentRepository,
    ConsentEventAppendRepository,
    PurposesService,
    TextsService,
    ReceiptsService,
    ReceiptKeysRepository,
    ConsentWriter,
    ConsentBulkWriter,
    ConsentBulkRepository,
    ConsentsService,
    ConsentQueryService,
    ConsentDecisionService,
    ConsentCheckRoute,
    DecisionLog,
    DecisionLogRepository,
    ChangeFeed,
    ChangeFeedRepository,
    ImportsRepository,
    ImportsService,
    ImportRunner,
    ImportTexts,
    AudienceService,
    ConsentLinksService,
    DoubleOptInService,
    PublicConsentService,
    ConsentWebhooksService,
    ConsentWebhooksRepository,
    ConsentSubjectHooks,
    DecisionRowsService,
    DecisionRowsRepository,
    PreferenceLinkMailer,
  ],
  exports: [
    PurposesService,
    PreferenceLinkMailer,
    // Other modules' changes that alter a decision (retention's recorded expiries) go into the feed through it.
    ChangeFeed,
    ConsentDecisionService,
    ConsentQueryService,
    ConsentLinksService,
    // The preference centre (src/portal) shows texts, grants and withdraws through these.
    PublicConsentService,
    ConsentsService,
    TextsService,
    // The console's import pages start imports, take their files and show their progress.
    ImportsService,
  ],
})
export class ConsentModule {}
