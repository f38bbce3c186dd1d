import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Env } from '../config/env';
import { QueueRegistry } from '../jobs';
import { OutboxRepository } from './outbox.repository';
import { OUTBOX_CHANNEL } from './outbox.service';

// A down Redis must not hold the claimed rows' locks forever: give up, roll back, retry later.
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error('redis did not answer in time')), ms))),
  ]);
}

/**
 * Moves committed outbox rows to BullMQ. Runs in the worker. Rows are claimed with SKIP LOCKED so any
 * number of workers can relay; a row is marked sent only after Redis accepted the job, and the job id is
 * deterministic, so a crash between the two re-sends a job BullMQ already has, which it ignores.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: Client;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: OutboxRepository,
    private readonly queues: QueueRegistry,
    private readonly env: Env,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.listener = this.repo.createListener(
      this.env.DATABASE_URL,
      () => this.kick(),
      (e) => this.logger.warn({ error: e.message }, 'outbox listener error'),
    );
    await this.repo.listen(this.listener, OUTBOX_CHANNEL);
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
    await this.repo.closeListener(this.listener);
  }

  kick(): void {
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let delay = this.env.OUTBOX_POLL_MS;
    try {
      let moved: number;
      do {
        this.again = false;
        moved = await this.drainBatch(200);
      } while ((moved > 0 || this.again) && !this.stopped);
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      // Redis or PostgreSQL away: the rows stay unsent and are retried with capped backoff.
      delay = Math.min(this.env.OUTBOX_POLL_MS * 2 ** this.failures, 10_000);
      if (this.failures <= 3 || this.failures % 20 === 0) {
        this.logger.warn(
          { error: (error as Error).message, failures: this.failures },
          'outbox relay cannot deliver yet',
        );
      }
    } finally {
      this.running = false;
      this.schedule(this.again ? 0 : delay);
    }
  }

  /** Public for tests and the single-process mode: relays one batch, returns how many rows moved. */
  async drainBatch(limit: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.repo.claimUnsent(manager, limit);
      if (!rows.length) return 0;
      const sent: string[] = [];
      for (const row of rows) {
        const queue = this.queues.get(row.queue);
        try {
          await withTimeout(
            queue.add(row.name, row.payload, { jobId: row.job_id, delay: row.delay_ms || undefined }),
            5000,
          );
          sent.push(row.id);
        } catch (error) {
          // Redis away: keep every row unsent and back off. Redis up but the job refused (an id or payload
          // BullMQ will never accept): set that one row aside as dead so it cannot block the rows behind it.
          const redisAnswers = await withTimeout(queue.count(), 2000).then(
            () => true,
            () => false,
          );
          if (!redisAnswers) throw error;
          const message = (error as Error).message.slice(0, 500);
          this.logger.error({ jobId: row.job_id, job: row.name, error: message }, 'queue refused an outbox job');
          await this.repo.markRefused(manager, row.id, message);
        }
      }
      if (sent.length) await this.repo.markSent(manager, sent);
      return rows.length;
    });
  }
}
