import { DynamicModule, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from './audit';
import { AuthModule } from './auth';
import { BreachesModule } from './breaches';
import { CryptoModule } from './common/crypto/crypto.service';
import { OutboundHttpModule } from './common/http/outbound-http';
import { ThrottleModule } from './common/throttle/throttle.module';
import { ConsentModule } from './consent';
import { loggerOptions } from './common/logging/logger.options';
import { ConfigModule } from './config/config.module';
import { Env } from './config/env';
import { buildDataSourceOptions } from './database';
import { HealthModule } from './health';
import { IdempotencyModule } from './idempotency';
import { JobsModule } from './jobs';
import type { ProcessRole } from './jobs';
import { WorkerModule } from './worker/index';
import { NotificationsModule } from './notifications';
import { OutboxModule } from './outbox';
import { RequestsModule } from './requests';
import { RegisterModule } from './register';
import { RetentionModule } from './retention';
import { SubjectsModule } from './subjects';
import { SystemsModule } from './systems';
import { UsersModule } from './users';
import { ConsoleModule } from './console';
import { PortalModule } from './portal';
import { WebModule } from './web';

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
          // With one URL (the owner's), every session acts as the runtime role; with two, DATABASE_URL is its login.
          ...buildDataSourceOptions(env.DATABASE_URL, env.DB_POOL_SIZE, {
            actAs: env.DATABASE_MIGRATION_URL ? undefined : env.DATABASE_RUNTIME_ROLE,
            idleInTransactionTimeoutMs: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
          }),
          // Each module registers its own tables (TypeOrmModule.forFeature); there is no entity glob.
          entities: [],
          autoLoadEntities: true,
          migrationsRun: false,
        }),
        JobsModule.forRole(role),
        OutboxModule,
        CryptoModule,
        OutboundHttpModule,
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
