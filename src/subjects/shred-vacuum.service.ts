import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Env } from '../config/env';
import { JobHandler } from '../jobs';
import { OutboxService } from '../outbox';
import { ShredVacuumRepository } from './shred-vacuum.repository';

/**
 * Crypto-shredding deletes the wrapped data key and updates or deletes every row that held the subject's
 * ciphertexts, but PostgreSQL keeps the old row versions on disk until a VACUUM: with file access and the master key
 * they decrypted (issue 25 item 3). Every erasure schedules one VACUUM of those tables, in its transaction; erasures
 * within SHRED_VACUUM_DELAY_SECONDS share it (one job per window, run after the window closes), so a retention batch
 * of thousands costs one VACUUM and the API's erasure waits for none.
 */
@Injectable()
export class ShredVacuum {
  private readonly logger = new Logger(ShredVacuum.name);

  constructor(
    private readonly repo: ShredVacuumRepository,
    private readonly outbox: OutboxService,
    private readonly env: Env,
  ) {}

  async schedule(m: EntityManager): Promise<void> {
    const windowMs = this.env.SHRED_VACUUM_DELAY_SECONDS * 1000;
    const window = Math.floor(Date.now() / windowMs);
    // A few seconds past the window's end: an erasure committing at its last moment is dead to the VACUUM too.
    const delayMs = (window + 1) * windowMs - Date.now() + 5_000;
    await this.outbox.enqueue(m, 'subjects.vacuum-shredded', {}, { jobId: `window-${window}`, delayMs });
  }

  /** Job `subjects.vacuum-shredded`: removes the dead row versions erasures left. */
  @JobHandler('subjects.vacuum-shredded')
  async run(): Promise<{ vacuumed: true }> {
    const started = Date.now();
    await this.repo.vacuum();
    if (this.env.SHRED_VACUUM_FULL) await this.repo.rewriteKeys();
    this.logger.log(
      { ms: Date.now() - started, full: this.env.SHRED_VACUUM_FULL },
      'tables of shredded subjects vacuumed',
    );
    return { vacuumed: true };
  }
}
