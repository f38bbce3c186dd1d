import { AuditEntry } from './audit-entry.entity';
import { AuditCheckpoint, AuditSigningKey } from './audit-checkpoint.entity';
import { AuditLeaf, AuditTree } from './audit-tree.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const AUDIT_ENTITIES = [AuditEntry, AuditLeaf, AuditTree, AuditSigningKey, AuditCheckpoint];
