import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import IORedis from 'ioredis';
import { Env } from '../config/env';
import { RedisWatch } from '../common/redis/redis-availability';
import { redisOptionsFromUrl } from '../common/redis/redis-connection';

@Injectable()
export class RedisHealthIndicator implements OnApplicationShutdown {
  private readonly logger = new Logger('RedisHealth');

  private readonly client: IORedis;

  constructor(
    private readonly indicator: HealthIndicatorService,
    env: Env,
  ) {
    // Fail fast: a readiness probe must answer "down" promptly, not queue commands until Redis returns.
    this.client = new IORedis({
      ...redisOptionsFromUrl(env.REDIS_URL),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    // The probe itself reports the outage (503 on /health/ready); the watch logs it once.
    new RedisWatch('health').attach(this.client);
  }

  async check(key: string) {
    const session = this.indicator.check(key);
    try {
      if (this.client.status === 'wait' || this.client.status === 'end')
        // Fails closed: the ping below reports Redis as down when the connect did not succeed.
        await this.client
          .connect()
          .catch((e: unknown) =>
            this.logger.debug({ err: { name: (e as Error).name } }, 'redis health connect failed'),
          );
      const pong = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, r) => setTimeout(() => r(new Error('timeout')), 1000)),
      ]);
      if (pong !== 'PONG') return session.down({ message: 'unexpected PING answer' });
      const policy = await this.client
        .config('GET', 'maxmemory-policy')
        .then((r) => (r as string[])[1])
        .catch(() => 'unknown');
      // BullMQ loses jobs silently when Redis evicts keys: say so, but stay ready (the reconciler re-drives).
      return session.up(
        policy === 'noeviction'
          ? { maxmemoryPolicy: policy }
          : { maxmemoryPolicy: policy, warning: 'maxmemory-policy should be noeviction for BullMQ' },
      );
    } catch {
      return session.down({ message: 'Redis is not reachable' });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}
