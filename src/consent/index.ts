// The public surface of the consent module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { ConsentLinksService } from './consent-links.service';
export { ConsentQueryService } from './consent-query.service';
export { ChangeFeed } from './change-feed.service';
export { ConsentCheckRoute } from './consent-check.route';
export { consentRequired } from './consent-rules';
export { ConsentModule } from './consent.module';
export { Channel, ConsentDecision, LegalBasis, SourceMethod, SpecialCategoryBasis } from './consent.types';
export { ConsentsService } from './consents.service';
export { EXPIRED_GRANTS_SQL } from './expired-grants.sql';
export { PublicConsentService } from './public-consent.service';
export type { PurposeRecord } from './purpose.types';
export { PurposesService } from './purposes.service';
export { importView, ImportsService } from './imports.service';
export { seedOptician } from './seed/optician.seed';
export { seedPaperForms } from './seed/paper-forms.seed';
export { TextsService } from './texts.service';
export { CONTROLLER_IDENTITY } from './controller-identity';
export type { ControllerIdentity, ControllerIdentitySource } from './controller-identity';
