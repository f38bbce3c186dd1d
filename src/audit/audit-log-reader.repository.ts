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
