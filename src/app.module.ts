import { DynamicModule, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BreachesModule } from './breaches/breaches.module';
import { CryptoModule } from './common/crypto/crypto.service';
import { ThrottleModule } from './common/throttle/throttle.module';
import { ConsentModule } from './consent/consent.module';
import { loggerOptions } from './common/logging/logger.options';
import { ConfigModule } from './config/config.module';
import { Env } from './config/env';
import { buildDataSourceOptions } from './database/database.options';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { JobsModule } from './jobs/jobs.module';
import type { ProcessRole } from './jobs/process-role';
import { WorkerModule } from './worker/worker.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OutboxModule } from './outbox/outbox.module';
import { RequestsModule } from './requests/requests.module';
import { RegisterModule } from './register/register.module';
import { RetentionModule } from './retention/retention.module';
import { SubjectsModule } from './subjects/subjects.module';
import { SystemsModule } from './systems/systems.module';
import { UsersModule } from './users/users.module';
import { ConsoleModule } from './console/console.module';
import { PortalModule } from './portal/portal.module';
import { WebModule } from './web/web.module';

export type Role = ProcessRole;

/** Feature modules, in both roles. Each bounded context adds itself here. */
export const FEATURE_MODULES: Type[] = [
  SubjectsModule,
  SystemsModule,
  ConsentModule,
  NotificationsModule,
  BreachesModule,
  RetentionModule,
  RequestsModule,
  WebModule,
  PortalModule,
  UsersModule,
  ConsoleModule,
  RegisterModule,
];

@Module({})
export class AppModule {
  /** One code base, two entry points: the worker role adds consumers, the relay and schedulers. */
  static forRole(env: Env, role: Role): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggerModule.forRoot(loggerOptions(env)),
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions(env.DATABASE_URL, env.DB_POOL_SIZE),
          // Each module registers its own tables (TypeOrmModule.forFeature); there is no entity glob.
          entities: [],
          autoLoadEntities: true,
          migrationsRun: false,
        }),
        JobsModule.forRole(role),
        OutboxModule,
        CryptoModule,
        ThrottleModule,
        AuditModule,
        AuthModule,
        IdempotencyModule,
        HealthModule,
        ...FEATURE_MODULES,
        ...(role === 'api' ? [] : [WorkerModule]),
      ],
    };
  }
}
