import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SystemWebhooks } from './system-webhooks.service';
import { SystemsController } from './systems.controller';
import { SystemsRepository } from './systems.repository';
import { SystemsService } from './systems.service';
import { SYSTEMS_ENTITIES } from './systems.entities';

/** Global: requests, breaches and the register ask it about the company's systems. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(SYSTEMS_ENTITIES)],
  controllers: [SystemsController],
  providers: [SystemsService, SystemsRepository, SystemWebhooks],
  exports: [SystemsService],
})
export class SystemsModule {}
