import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import IORedis from 'ioredis';
import { Env } from '../../config/env';
import { RedisWatch } from '../redis/redis-availability';
import { redisOptionsFromUrl } from '../redis/redis-connection';

// One round trip, atomic: count the hit in a fixed window and start a block once the limit is passed.
const SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl <= 0 and hits > tonumber(ARGV[2]) and tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blockTtl = tonumber(ARGV[3])
end
return { hits, ttl, blockTtl }`;

/**
 * Rate-limit counters in Redis, so a limit holds across every API replica (not per process). With Redis gone the
 * counting goes on in this process (issue 25 item 6): the public intake and login still work, each replica limiting
 * on its own (a limit per replica, looser by the replica count), where they answered 500.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly redis: IORedis;
  private readonly watch = new RedisWatch('throttle');
  private readonly local = new ThrottlerStorageService();
  private readonly prefix: string;

  constructor(env: Env) {
    // No offline queue: while Redis is away a call fails at once and the local counters answer.
    this.redis = new IORedis({
      ...redisOptionsFromUrl(env.REDIS_URL),
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    this.watch.attach(this.redis);
    this.prefix = `${env.REDIS_PREFIX}:throttle:`;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string) {
    if (this.redis.status !== 'ready') return this.local.increment(key, ttl, limit, blockDuration, name);
    try {
      return await this.shared(key, ttl, limit, blockDuration, name);
    } catch (e) {
      if ((e as Error)?.name === 'ReplyError') throw e;
      this.watch.failed(e as Error);
      return this.local.increment(key, ttl, limit, blockDuration, name);
    }
  }

  private async shared(key: string, ttl: number, limit: number, blockDuration: number, name: string) {
    const base = `${this.prefix}${name}:${key}`;
    const [hits, ttlMs, blockMs] = (await this.redis.eval(
      SCRIPT,
      2,
      `${base}:hits`,
      `${base}:block`,
      ttl,
      limit,
      blockDuration,
    )) as number[];
    return {
      totalHits: hits,
      timeToExpire: Math.max(0, Math.ceil(ttlMs / 1000)),
      isBlocked: blockMs > 0,
      timeToBlockExpire: Math.max(0, Math.ceil(blockMs / 1000)),
    };
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
    this.redis.disconnect();
  }
}
