import { affectedRows } from '../../common/db/purge-in-batches';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OpenGdprCallback } from './opengdpr-callback.entity';
import { OpenGdprRequest } from './opengdpr-request.entity';

@Injectable()
export class OpenGdprRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(subjectRequestId: string, m: EntityManager = this.dataSource.manager): Promise<OpenGdprRequest | null> {
    return m.getRepository(OpenGdprRequest).findOne({ where: { subjectRequestId } });
  }

  findByRequest(m: EntityManager, requestId: string): Promise<OpenGdprRequest | null> {
    return m.getRepository(OpenGdprRequest).findOne({ where: { requestId } });
  }

  async insert(m: EntityManager, row: OpenGdprRequest): Promise<void> {
    await m.getRepository(OpenGdprRequest).insert(row);
  }

  async setLastStatus(m: EntityManager, subjectRequestId: string, lastStatus: string): Promise<void> {
    await m.getRepository(OpenGdprRequest).update(subjectRequestId, { lastStatus });
  }

  async insertCallback(m: EntityManager, row: Partial<OpenGdprCallback>): Promise<void> {
    await m.getRepository(OpenGdprCallback).insert(row as OpenGdprCallback);
  }

  findCallback(id: string): Promise<OpenGdprCallback | null> {
    return this.dataSource.getRepository(OpenGdprCallback).findOne({ where: { id } });
  }

  async recordAttempt(id: string, outcome: { delivered: boolean; error: string | null }): Promise<void> {
    await this.dataSource.query(
      `UPDATE opengdpr_callbacks SET attempts = attempts + 1, last_error = $2,
              delivered_at = CASE WHEN $3 THEN now() ELSE delivered_at END WHERE id = $1`,
      [id, outcome.error, outcome.delivered],
    );
  }

  /** Housekeeping: up to `limit` call-back records older than `days`; how many went. */
  async deleteCallbacksOlderThan(days: number, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM opengdpr_callbacks WHERE id IN (
         SELECT id FROM opengdpr_callbacks WHERE created_at < now() - make_interval(days => $1) LIMIT $2)`,
        [days, limit],
      ),
    );
  }
}
