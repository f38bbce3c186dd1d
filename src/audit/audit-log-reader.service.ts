import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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

  /**
   * A mark of the audit log as the caller's transaction sees it now, to ask later what came after (`changesSince`).
   * Audit entries are numbered as written, not as committed (issue 16): only a snapshot says which changes a reader
   * could see.
   */
  mark(m: EntityManager): Promise<string> {
    return this.repo.mark(m);
  }

  /**
   * Entries of these actions that came after a mark (written by transactions it could not see), oldest first; for a
   * reading marked before the Merkle log, the entries after its seq (exact then: appends were serialised).
   */
  changesSince(actions: readonly string[], since: { mark: string | null; seq: string }): Promise<AuditChangeRow[]> {
    return since.mark ? this.repo.changesSinceMark(actions, since.mark) : this.repo.changesSince(actions, since.seq);
  }

  /** When an entry of these actions was last written, and by whom (`<principal kind>:<id>`). */
  async lastChange(actions: readonly string[]): Promise<{ at: string; by: string } | null> {
    const row = await this.repo.lastOf(actions);
    return row ? { at: row.occurred_at.toISOString(), by: `${row.actor_type}:${row.actor_id}` } : null;
  }
}
