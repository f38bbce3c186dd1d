import { AuditEntry } from './audit-entry.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const AUDIT_ENTITIES = [AuditEntry];
