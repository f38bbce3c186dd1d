import { affectedRows } from '../common/db/purge-in-batches';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OutgoingEmail } from './outgoing-email.entity';

/** Associated data of a sealed column: a blob copied to another row or column does not open. */
export const sealedColumn = (emailId: string, column: 'recipient' | 'model'): string =>
  `outgoing_emails:${emailId}:${column}`;

/** Another worker is sending this e-mail right now (a re-driven job racing a stalled one). */
export class EmailBusyError extends Error {
  constructor() {
    super('the e-mail is being sent by another worker');
  }
}

export type NewOutgoingEmail = Pick<OutgoingEmail, 'id' | 'template' | 'locale' | 'subjectId' | 'recipient' | 'model'>;

@Injectable()
export class OutgoingEmailsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, row: NewOutgoingEmail): Promise<void> {
    await m.createQueryBuilder().insert().into(OutgoingEmail).values(row).execute();
  }

  /** Locks the row for the duration of the send; undefined when it does not exist. */
  async lockForSending(m: EntityManager, id: string): Promise<OutgoingEmail | undefined> {
    try {
      const row = await m
        .getRepository(OutgoingEmail)
        .createQueryBuilder('e')
        .setLock('pessimistic_write')
        .setOnLocked('nowait')
        .where('e.id = :id', { id })
        .getOne();
      return row ?? undefined;
    } catch (e) {
      if ((e as { code?: string }).code === '55P03') throw new EmailBusyError();
      throw e;
    }
  }

  /** Whether an e-mail of this template was queued for the subject since `since` (a range of the created index). */
  async queuedSince(subjectId: string, template: string, since: Date): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM outgoing_emails WHERE created_at > $3 AND subject_id = $1 AND template = $2 LIMIT 1`,
      [subjectId, template, since],
    )) as unknown[];
    return rows.length > 0;
  }

  async delivery(
    id: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<'queued' | 'sent' | 'failed' | undefined> {
    const rows = (await m.query(
      `SELECT CASE WHEN sent_at IS NOT NULL THEN 'sent' WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'queued' END AS d
         FROM outgoing_emails WHERE id = $1`,
      [id],
    )) as { d: 'queued' | 'sent' | 'failed' }[];
    return rows[0]?.d;
  }

  /** Nothing readable is kept once the e-mail is out: the sealed address and model are wiped. */
  async markSent(m: EntityManager, id: string, messageId: string): Promise<void> {
    await m.query(
      `UPDATE outgoing_emails
          SET sent_at = now(), message_id = $2, attempts = attempts + 1, last_error = NULL, recipient = NULL, model = NULL
        WHERE id = $1`,
      [id, messageId],
    );
  }

  /** A permanent failure also wipes the sealed data: an e-mail that can never be sent needs none. */
  async recordFailure(m: EntityManager, id: string, reason: string, permanent: boolean): Promise<void> {
    await m.query(
      permanent
        ? `UPDATE outgoing_emails
              SET failed_at = now(), attempts = attempts + 1, last_error = $2, recipient = NULL, model = NULL
            WHERE id = $1`
        : `UPDATE outgoing_emails SET attempts = attempts + 1, last_error = $2 WHERE id = $1`,
      [id, reason.slice(0, 500)],
    );
  }

  /** Housekeeping: up to `limit` sent or failed e-mails created more than `days` ago; one still queued stays. */
  async deleteFinishedOlderThan(days: number, limit: number): Promise<number> {
    return affectedRows(
      await this.dataSource.query(
        `DELETE FROM outgoing_emails WHERE id IN (
         SELECT id FROM outgoing_emails
          WHERE created_at < now() - make_interval(days => $1) AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)
          LIMIT $2)`,
        [days, limit],
      ),
    );
  }
}
