// The public surface of the audit module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { AuditLogReaderService } from './audit-log-reader.service';
export type { AuditChangeRow } from './audit-log-reader.service';
export { AuditModule } from './audit.module';
export { AuditSealer } from './audit-sealer.service';
export { AuditVerifier } from './audit-verifier.service';
export { AuditWorkerModule } from './audit-worker.module';
export { AuditInput, AuditService } from './audit.service';
export { SubjectAliases } from './subject-aliases';
