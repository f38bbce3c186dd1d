import { Injectable } from '@nestjs/common';
import { Env } from '../../config/env';

/**
 * The time rules that depend on "now" read (retention due dates, the sweep's as-of instant). Real time,
 * except under NODE_ENV=test, where `ZGODA_FAKE_NOW` or `set()` moves it: tests of a 20-year retention
 * period cannot wait 20 years. A moved clock keeps ticking from the instant it was set to.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;

  constructor(private readonly env: Env) {
    if (env.ZGODA_FAKE_NOW === undefined) return;
    // Outside tests a fake clock would erase data early or keep it too long: refuse to start.
    if (env.NODE_ENV !== 'test') throw new Error('ZGODA_FAKE_NOW is only honoured when NODE_ENV=test');
    this.set(new Date(env.ZGODA_FAKE_NOW));
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Tests only: from now on `now()` reads `at` plus the time elapsed since this call. */
  set(at: Date): void {
    if (this.env.NODE_ENV !== 'test') throw new Error('The clock can only be moved when NODE_ENV=test');
    if (Number.isNaN(at.getTime())) throw new RangeError('Not a valid instant');
    this.offsetMs = at.getTime() - Date.now();
  }
}
