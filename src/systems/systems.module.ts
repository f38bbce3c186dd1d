import { Global, Module } from '@nestjs/common';
import { SystemWebhooks } from './system-webhooks.service';
import { SystemsController } from './systems.controller';
import { SystemsRepository } from './systems.repository';
import { SystemsService } from './systems.service';

/** Global: requests, breaches and the register ask it about the company's systems. */
@Global()
@Module({
  controllers: [SystemsController],
  providers: [SystemsService, SystemsRepository, SystemWebhooks],
  exports: [SystemsService],
})
export class SystemsModule {}
