import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { ConsoleApi } from './console-api.service';
import { ConsoleAuthController } from './console-auth.controller';
import { ConsoleErrorFilter } from './console-error.filter';
import { ConsoleView } from './console-view';
import { ConsoleController } from './console.controller';

/** The staff console at /console: server-rendered pages over the JSON API (PRODUCT.md 10). */
@Module({
  imports: [UsersModule],
  controllers: [ConsoleAuthController, ConsoleController],
  providers: [ConsoleApi, ConsoleView, ConsoleErrorFilter],
})
export class ConsoleModule {}
