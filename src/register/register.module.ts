import { RegisterRepository } from './register.repository';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONTROLLER_IDENTITY, ConsentModule } from '../consent';
import { RetentionModule } from '../retention';
import { ControllerSettingsService } from './controller-settings.service';
import { ControllerSettingsController, RegisterController } from './register.controller';
import { RegisterService } from './register.service';
import { REGISTER_ENTITIES } from './register.entities';

/**
 * Register of processing activities (Art. 30, LEGAL items 28-30): generated live from purposes, data
 * systems (global) and enforced retention policies; controller settings; DPO sign-off with a diff.
 */
@Module({
  imports: [ConsentModule, RetentionModule, TypeOrmModule.forFeature(REGISTER_ENTITIES)],
  controllers: [RegisterController, ControllerSettingsController],
  providers: [
    RegisterService,
    ControllerSettingsService,
    RegisterRepository,
    { provide: CONTROLLER_IDENTITY, useExisting: ControllerSettingsService },
  ],
  exports: [RegisterService, ControllerSettingsService, CONTROLLER_IDENTITY],
})
export class RegisterModule {}
