import { Env, validateEnv } from '../../config/env';
import { Clock } from './clock';

const env = (over: Record<string, string>): Env =>
  validateEnv({ ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), ...over });

describe('Clock', () => {
  it('reads real time by default', () => {
    const now = new Clock(env({ NODE_ENV: 'test' })).now().getTime();
    expect(Math.abs(now - Date.now())).toBeLessThan(1000);
  });

  it('starts from ZGODA_FAKE_NOW under NODE_ENV=test, and keeps ticking from there', async () => {
    const clock = new Clock(env({ NODE_ENV: 'test', ZGODA_FAKE_NOW: '2040-01-01T00:00:00Z' }));
    const first = clock.now().getTime();
    expect(first - Date.parse('2040-01-01T00:00:00Z')).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now().getTime()).toBeGreaterThan(first);
  });

  it('can be moved by a test, not otherwise', () => {
    const clock = new Clock(env({ NODE_ENV: 'test' }));
    clock.set(new Date('2031-06-01T00:00:00Z'));
    expect(clock.now().toISOString().slice(0, 10)).toBe('2031-06-01');
    expect(() => clock.set(new Date('nope'))).toThrow(RangeError);
    expect(() => new Clock(env({ NODE_ENV: 'production' })).set(new Date())).toThrow(/NODE_ENV=test/);
  });

  it('refuses to start with a fake time outside tests', () => {
    expect(() => new Clock(env({ NODE_ENV: 'production', ZGODA_FAKE_NOW: '2040-01-01T00:00:00Z' }))).toThrow(
      /only honoured when NODE_ENV=test/,
    );
    expect(() => env({ NODE_ENV: 'test', ZGODA_FAKE_NOW: 'next year' })).toThrow(/ZGODA_FAKE_NOW/);
  });
});
