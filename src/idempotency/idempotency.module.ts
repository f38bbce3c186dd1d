import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyCommitMarker } from './idempotency-commit-marker';
import { IDEMPOTENCY_ENTITIES } from './idempotency.entities';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature(IDEMPOTENCY_ENTITIES)],
  providers: [IdempotencyInterceptor, IdempotencyService, IdempotencyRepository, IdempotencyCommitMarker],
  exports: [IdempotencyInterceptor, IdempotencyService],
})
export class IdempotencyModule {}
