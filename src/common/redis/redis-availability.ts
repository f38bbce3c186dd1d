import { Logger } from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import { ProblemError } from '../problem/problem.error';

// How long a client is told to wait before retrying: ioredis reconnects every 2 s at most.
const RETRY_AFTER_SECONDS = 5;

/**
 * Logs one Redis client's outages as JSON, once when it goes and once when it is back (issue 25 item 6). ioredis
 * retries every 2 s and a line per retry buried everything else; clients whose errors nobody listened to printed raw
 * stack traces to stderr, outside the JSON log.
 */
export class RedisWatch {
  private up = true;
  private readonly logger: Logger;

  constructor(private readonly label: string) {
    this.logger = new Logger(`redis:${label}`);
  }

  /** An ioredis client (or anything that emits `error` and `ready` the same way). */
  attach(emitter: Pick<EventEmitter, 'on'>): this {
    emitter.on('error', (e: Error) => this.failed(e));
    emitter.on('ready', () => this.recovered());
    return this;
  }

  get available(): boolean {
    return this.up;
  }

  failed(e: Error): void {
    if (!this.up) return;
    this.up = false;
    // The message names host and port at most: no personal data goes through a connection error.
    this.logger.warn(
      { err: { name: e.name, code: (e as { code?: string }).code, message: e.message } },
      'redis unavailable',
    );
  }

  recovered(): void {
    if (this.up) return;
    this.up = true;
    this.logger.log('redis reachable again');
  }
}

/**
 * The client, with every call that fails because Redis cannot be reached answered as 503 service_unavailable (with
 * Retry-After) instead of a 500: staff sessions live in Redis, and with it gone a login cannot work, but it is a
 * dependency down, not a fault. Redis's own replies (`ReplyError`, a wrong type) stay errors. Chained calls
 * (`multi().set().exec()`) keep the wrapping.
 */
export function unavailableAs503<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (out === obj) return receiver;
        if (out instanceof Promise) return out.catch((e: unknown) => Promise.reject(asUnavailable(e)));
        if (out && typeof out === 'object' && typeof (out as { exec?: unknown }).exec === 'function') {
          return unavailableAs503(out);
        }
        return out;
      };
    },
  });
}

function asUnavailable(e: unknown): unknown {
  if (e instanceof ProblemError || (e as Error)?.name === 'ReplyError') return e;
  return new ProblemError('service_unavailable', 'A service this needs is not available right now; retry shortly.', {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}
