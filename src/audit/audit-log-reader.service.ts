import { Injectable } from '@nestjs/common';
import { type AuditChangeRow, AuditLogReaderRepository } from './audit-log-reader.repository';

export type { AuditChangeRow };

/**
 * The audit module's published read model: the register (Art. 30) attributes every change since its last
 * sign-off to an audit entry, and shows when it last changed and by whom. The audit log stays owned here;
 * readers see entries of the actions they name, in chain order.
 */
@Injectable()
export class AuditLogReaderService {
  constructor(private readonly repo: AuditLogReaderRepository) {}

  /** Entries of these actions after `afterSeq`, oldest first. */
  changesSince(actions: readonly string[], afterSeq: string): Promise<AuditChangeRow[]> {
    return this.repo.changesSince(actions, afterSeq);
  }

  /** When an entry of these actions was last written, and by whom (`<principal kind>:<id>`). */
  async lastChange(actions: readonly string[]): Promise<{ at: string; by: string } | null> {
    const row = await this.repo.lastOf(actions);
    return row ? { at: row.occurred_at.toISOString(), by: `${row.actor_type}:${row.actor_id}` } : null;
  }
}
