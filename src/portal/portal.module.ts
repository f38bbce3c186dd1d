import { Module, OnModuleInit } from '@nestjs/common';
import { ConsentModule } from '../consent';
import { RequestsModule } from '../requests';
import { PageRenderer } from '../web';
import { PortalController } from './portal.controller';
import { PORTAL_STRINGS } from './portal-strings';
import { PreferenceCentre } from './preference-centre.service';
import { PreferencesController } from './preferences.controller';

/** The customer-facing pages: request portal and preference centre (PRODUCT capability 10). */
@Module({
  imports: [RequestsModule, ConsentModule],
  controllers: [PortalController, PreferencesController],
  providers: [PreferenceCentre],
})
export class PortalModule implements OnModuleInit {
  constructor(private readonly pages: PageRenderer) {}

  onModuleInit(): void {
    this.pages.addStrings('portal', PORTAL_STRINGS);
  }
}
