import { Module } from '@nestjs/common';
import { BreachesModule } from '../breaches';
import { ConsentModule } from '../consent';
import { RegisterModule } from '../register';
import { RequestsModule } from '../requests';
import { RetentionModule } from '../retention';
import { SystemsModule } from '../systems';
import { UsersModule } from '../users';
import { ConsoleAccountController } from './console-account.controller';
import { ConsoleAuthController } from './console-auth.controller';
import { ConsoleBreachPages } from './console-breach-pages';
import { ConsoleBreachesController } from './console-breaches.controller';
import { ConsoleComplianceController } from './console-compliance.controller';
import { ConsoleErrorFilter } from './console-error.filter';
import { ConsoleImportsController } from './console-imports.controller';
import { ConsoleKeysController } from './console-keys.controller';
import { ConsoleFinder } from './console-finder';
import { ConsoleNames } from './console-names';
import { ConsoleRequestsController } from './console-requests.controller';
import { ConsoleSubjectActionsController } from './console-subject-actions.controller';
import { ConsoleSubjectPage } from './console-subject-page';
import { ConsoleRequestPage } from './console-request-page';
import { ConsoleConsentProof } from './console-consent-proof';
import { ConsoleSubjectsController } from './console-subjects.controller';
import { ConsoleUsersController } from './console-users.controller';
import { ConsoleView } from './console-view';
import { ConsoleController } from './console.controller';

/** The staff console at /console: server-rendered pages over the JSON API (PRODUCT.md 10). */
@Module({
  imports: [UsersModule, RegisterModule, RequestsModule, BreachesModule, SystemsModule, ConsentModule, RetentionModule],
  controllers: [
    ConsoleAuthController,
    ConsoleController,
    ConsoleRequestsController,
    ConsoleSubjectsController,
    ConsoleSubjectActionsController,
    ConsoleComplianceController,
    ConsoleBreachesController,
    ConsoleImportsController,
    ConsoleKeysController,
    ConsoleUsersController,
    ConsoleAccountController,
  ],
  providers: [
    ConsoleView,
    ConsoleErrorFilter,
    ConsoleNames,
    ConsoleFinder,
    ConsoleBreachPages,
    ConsoleSubjectPage,
    ConsoleRequestPage,
    ConsoleConsentProof,
  ],
})
export class ConsoleModule {}
