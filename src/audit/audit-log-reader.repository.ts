import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** One audit entry as the register's change history needs it: who did what to which record, no payload but field names. */
export interface AuditChangeRow {
  seq: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string | null;
  data: { fields?: string[] } | null;
}

/** Reads of the audit log for other modules' read model (AuditLogReaderService); never writes. */
@Injectable()
export class AuditLogReaderRepository {
  constructor(private readonly dataSource: DataSource) {}

  changesSince(
    actions: readonly string[],
    afterSeq: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<AuditChangeRow[]> {
    return m.query(
      `SELECT seq, occurred_at, actor_type, actor_id, action, target_type, target_id, data
         FROM audit_log WHERE action = ANY($1) AND seq > $2 ORDER BY seq`,
      [actions, afterSeq],
    ) as Promise<AuditChangeRow[]>;
  }

  /** The statement's snapshot of the database, as text: which transactions had committed at this moment. */
  async mark(m: EntityManager): Promise<string> {
    const [{ mark }] = (await m.query(`SELECT pg_current_snapshot()::text AS mark`)) as { mark: string }[];
    return mark;
  }

  /**
   * Entries written by transactions the snapshot `mark` could not see (running or not yet begun then), oldest
   * first. Those below its xmin had all ended, visibly: only the ones from its xmin up are tested.
   */
  changesSinceMark(
    actions: readonly string[],
    mark: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<AuditChangeRow[]> {
    return m.query(
      `SELECT seq, occurred_at, actor_type, actor_id, action, target_type, target_id, data
         FROM audit_log
        WHERE action = ANY($1) AND tx >= pg_snapshot_xmin($2::pg_snapshot)::text::bigint
          AND NOT pg_visible_in_snapshot(tx::text::xid8, $2::pg_snapshot)
        ORDER BY seq`,
      [actions, mark],
    ) as Promise<AuditChangeRow[]>;
  }

  async lastOf(
    actions: readonly string[],
    m: EntityManager = this.dataSource.manager,
  ): Promise<Pick<AuditChangeRow, 'occurred_at' | 'actor_type' | 'actor_id'> | undefined> {
    const [row] = (await m.query(
      `SELECT occurred_at, actor_type, actor_id FROM audit_log WHERE action = ANY($1) ORDER BY seq DESC LIMIT 1`,
      [actions],
    )) as Pick<AuditChangeRow, 'occurred_at' | 'actor_type' | 'actor_id'>[];
    return row;
  }
}
