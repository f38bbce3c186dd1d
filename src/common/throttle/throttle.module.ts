import { applyDecorators, Global, Module, UseGuards } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { RATE_LIMITED_EXTENSION } from '../openapi/contract';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { Env } from '../../config/env';
import { RedisThrottlerStorage } from './redis-throttler.storage';

@Module({ providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
class ThrottleStorageModule {}

/**
 * Rate limits for the routes anyone can reach (portal intake, verification, unsubscribe). Authenticated
 * machine routes are not throttled here: the decision API must not be slowed by a counter per call.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ThrottleStorageModule],
      inject: [Env, RedisThrottlerStorage],
      useFactory: (env: Env, storage: RedisThrottlerStorage) => ({
        throttlers: [{ name: 'public', ttl: 60_000, limit: env.PUBLIC_RATE_LIMIT_PER_MINUTE, blockDuration: 60_000 }],
        storage,
      }),
    }),
  ],
  exports: [ThrottlerModule],
})
export class ThrottleModule {}

/** Put on every public route that does work: answers 429 `rate_limited` past the limit per client IP. */
export const RateLimited = () => applyDecorators(UseGuards(ThrottlerGuard), ApiExtension(RATE_LIMITED_EXTENSION, true));
