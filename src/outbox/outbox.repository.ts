import { affectedRows } from '../common/db/purge-in-batches';
import { Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { JobName, QueueName } from '../jobs';
import { OutboxMessage } from './outbox-message.entity';

/** A claimed unsent row, as the relay hands it to BullMQ. */
export interface UnsentRow {
  id: string;
  queue: QueueName;
  name: JobName;
  payload: Record<string, unknown>;
  job_id: string;
  delay_ms: number;
}

/** A sent row whose handler never reported completion. */
export interface StalledRow {
  id: string;
  queue: QueueName;
  name: string;
  payload: Record<string, unknown>;
  job_id: string;
  redrives: number;
}

export interface OutboxStatsRow {
  unsent: number;
  incomplete: number;
  dead: number;
  oldest: number;
}

/** The SQL of the outbox; writes inside a caller's transaction take its manager. */
@Injectable()
export class OutboxRepository {
  private readonly logger = new Logger(OutboxRepository.name);

  constructor(private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, values: QueryDeepPartialEntity<OutboxMessage>): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(OutboxMessage)
      .values(values)
      .orIgnore() // the same deterministic job recorded twice (a retried request) is one job
      .execute();
  }

  /** Rows whose job finished before `before`; a dead row stays until an operator re-drives or handles it. */
  async deleteFinished(before: Date, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE completed_at < $1 ORDER BY completed_at LIMIT $2)
       RETURNING 1`,
        [before, limit],
      ),
    );
  }

  async notify(m: EntityManager, channel: string): Promise<void> {
    await m.query('SELECT pg_notify($1, $2)', [channel, '']);
  }

  async markCompleted(jobId: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.getRepository(OutboxMessage).update({ jobId, completedAt: IsNull() }, { completedAt: new Date() });
  }

  async markDead(jobId: string, error: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.getRepository(OutboxMessage).update({ jobId }, { deadAt: new Date(), lastError: error });
  }

  async recordError(jobId: string, error: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.getRepository(OutboxMessage).update({ jobId }, { lastError: error });
  }

  async stats(m: EntityManager = this.dataSource.manager): Promise<OutboxStatsRow> {
    const [row] = (await m.query(`
      SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent,
             count(*) FILTER (WHERE sent_at IS NOT NULL AND completed_at IS NULL AND dead_at IS NULL)::int AS incomplete,
             count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead,
             COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE sent_at IS NULL)), 0)::float AS oldest
        FROM outbox WHERE completed_at IS NULL`)) as OutboxStatsRow[];
    return row;
  }

  // --- relay ---

  /** SKIP LOCKED lets any number of relays claim disjoint batches; the locks hold until `m` commits. */
  async claimUnsent(m: EntityManager, limit: number): Promise<UnsentRow[]> {
    return (await m.query(
      `SELECT id, queue, name, payload, job_id,
              GREATEST(0, EXTRACT(EPOCH FROM available_at - now()) * 1000)::int AS delay_ms
         FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    )) as UnsentRow[];
  }

  async markRefused(m: EntityManager, id: string, message: string): Promise<void> {
    await m.query('UPDATE outbox SET dead_at = now(), last_error = $2 WHERE id = $1', [id, message]);
  }

  async markSent(m: EntityManager, ids: string[]): Promise<void> {
    await m.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', [ids]);
  }

  /** A dedicated connection (not the pool) for LISTEN; `listen` connects it, `closeListener` ends it. */
  createListener(connectionString: string, onNotification: () => void, onError: (e: Error) => void): Client {
    const listener = new Client({ connectionString });
    listener.on('notification', onNotification);
    listener.on('error', onError);
    return listener;
  }

  async listen(listener: Client, channel: string): Promise<void> {
    await listener.connect();
    await listener.query(`LISTEN ${channel}`);
  }

  async closeListener(listener: Client | undefined): Promise<void> {
    // Closing a listener whose connection already broke fails; nothing is left to close, so it is only logged.
    await listener
      ?.end()
      .catch((e: unknown) => this.logger.debug({ err: { name: (e as Error).name } }, 'outbox listener close failed'));
  }

  // --- reconciler ---

  /**
   * Runs `work` on one dedicated connection holding the session advisory lock `lockKey`; returns `skipped`
   * without running it when another session holds the lock. Session-level, so the lock and every statement
   * of `work` must share the connection: `work` gets that connection's manager.
   */
  async withSessionLock<T>(lockKey: number, skipped: T, work: (m: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [lockKey])) as {
        locked: boolean;
      }[];
      if (!locked) return skipped;
      try {
        return await work(runner.manager);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [lockKey]);
      }
    } finally {
      await runner.release();
    }
  }

  async findStalled(m: EntityManager, graceMs: number): Promise<StalledRow[]> {
    return (await m.query(
      `SELECT id, queue, name, payload, job_id, redrives FROM outbox
        WHERE sent_at IS NOT NULL AND completed_at IS NULL AND dead_at IS NULL
          AND sent_at < now() - make_interval(secs => $1::float / 1000) AND available_at < now()
        ORDER BY id LIMIT 1000`,
      [graceMs],
    )) as StalledRow[];
  }

  async markGivenUp(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE outbox SET dead_at = now() WHERE id = $1`, [id]);
  }

  async countRedrive(m: EntityManager, id: string): Promise<void> {
    await m.query('UPDATE outbox SET redrives = redrives + 1 WHERE id = $1', [id]);
  }
}
