import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IDEMPOTENCY_ENTITIES } from './idempotency.entities';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature(IDEMPOTENCY_ENTITIES)],
  providers: [IdempotencyInterceptor, IdempotencyService, IdempotencyRepository],
  exports: [IdempotencyInterceptor, IdempotencyService],
})
export class IdempotencyModule {}
