import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { ProblemError } from '../problem/problem.error';
import { RedisWatch, unavailableAs503 } from './redis-availability';

describe('RedisWatch', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs an outage once when it starts and once when it ends, however many errors come between', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const client = new EventEmitter();
    const watch = new RedisWatch('test').attach(client);
    for (let i = 0; i < 5; i++)
      client.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(watch.available).toBe(false);
    client.emit('ready');
    client.emit('ready');
    client.emit('error', new Error('Connection is closed.'));
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[0][0]).toEqual({
      err: { name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
    });
    expect(log).toHaveBeenCalledTimes(1);
  });
});

describe('unavailableAs503', () => {
  class FakeClient {
    constructor(private readonly down: boolean) {}
    get(): Promise<string> {
      return this.down ? Promise.reject(new Error("Stream isn't writeable")) : Promise.resolve('v');
    }
    wrong(): Promise<string> {
      return Promise.reject(Object.assign(new Error('WRONGTYPE'), { name: 'ReplyError' }));
    }
    multi(): FakePipeline {
      return new FakePipeline(this.down);
    }
  }
  class FakePipeline {
    constructor(private readonly down: boolean) {}
    set(): this {
      return this;
    }
    exec(): Promise<unknown[]> {
      return this.down ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve([]);
    }
  }

  it('answers an unreachable Redis as 503 with a retry time, through chained calls too', async () => {
    const client = unavailableAs503(new FakeClient(true));
    await expect(client.get()).rejects.toMatchObject({ code: 'service_unavailable', extras: { retryAfterSeconds: 5 } });
    await expect(client.multi().set().exec()).rejects.toBeInstanceOf(ProblemError);
  });

  it("leaves Redis's own replies, and working calls, as they are", async () => {
    const client = unavailableAs503(new FakeClient(false));
    await expect(client.get()).resolves.toBe('v');
    await expect(client.multi().set().exec()).resolves.toEqual([]);
    await expect(client.wrong()).rejects.toMatchObject({ name: 'ReplyError' });
  });
});
