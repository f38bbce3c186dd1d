import { affectedRows } from '../common/db/purge-in-batches';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RequestToken, RequestTokenPurpose } from './request-token.entity';

/** The subject's links (request_tokens): only their hashes are stored. */
@Injectable()
export class RequestTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertToken(m: EntityManager, row: Partial<RequestToken>): Promise<void> {
    await m.getRepository(RequestToken).insert(row as RequestToken);
  }

  findToken(hash: string, m: EntityManager = this.dataSource.manager): Promise<RequestToken | null> {
    return m.getRepository(RequestToken).findOne({ where: { tokenHash: hash } });
  }

  lockToken(m: EntityManager, hash: string): Promise<RequestToken | null> {
    return m.getRepository(RequestToken).findOne({ where: { tokenHash: hash }, lock: { mode: 'pessimistic_write' } });
  }

  /** Counts a use; returns the attempts after it, or null when the token is gone. */
  async countTokenUse(hash: string): Promise<number | null> {
    const rows = (await this.dataSource.query(
      `UPDATE request_tokens SET attempts = attempts + 1 WHERE token_hash = $1 RETURNING attempts`,
      [hash],
    )) as [{ attempts: number }[], number];
    return rows[0]?.[0]?.attempts ?? null;
  }

  async updateToken(m: EntityManager, id: string, patch: Partial<RequestToken>): Promise<void> {
    await m.getRepository(RequestToken).update(id, patch as never);
  }

  /** Unused verification links of a request die with it. */
  async expireTokens(m: EntityManager, requestId: string, purpose: RequestTokenPurpose): Promise<void> {
    await m.query(
      `UPDATE request_tokens SET expires_at = LEAST(expires_at, now()) WHERE request_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [requestId, purpose],
    );
  }

  /** How many verification links a request has had, and when the last one was made. */
  async verifyLinkStats(m: EntityManager, requestId: string): Promise<{ issued: number; last: Date | null }> {
    const [row] = (await m.query(
      `SELECT count(*)::int AS issued, max(created_at) AS last FROM request_tokens
        WHERE request_id = $1 AND purpose = 'verify'`,
      [requestId],
    )) as { issued: number; last: Date | null }[];
    return row;
  }

  /** Ends the verification links of a request that still work, before a new one is sent. */
  async expireLiveVerifyLinks(m: EntityManager, requestId: string): Promise<void> {
    await m.query(
      `UPDATE request_tokens SET expires_at = now()
        WHERE request_id = $1 AND purpose = 'verify' AND used_at IS NULL AND expires_at > now()`,
      [requestId],
    );
  }

  /**
   * Housekeeping: up to `limit` links expired more than `days` ago. A request still awaiting verification keeps its
   * links: how many it was sent bounds the next ones.
   */
  async deleteExpiredOlderThan(days: number, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM request_tokens WHERE id IN (
         SELECT t.id FROM request_tokens t JOIN requests r ON r.id = t.request_id
          WHERE t.expires_at < now() - make_interval(days => $1) AND r.status <> 'awaiting_verification'
          LIMIT $2)`,
        [days, limit],
      ),
    );
  }
}
