import { Module } from '@nestjs/common';
import { AuditSealer } from './audit-sealer.service';
import { AuditTreeRepository } from './audit-tree.repository';

/**
 * The audit module's worker half, imported only by the worker role: the sequencer that seals the Merkle tree and signs
 * its checkpoints (AuditCheckpoints, from the global AuditModule).
 */
@Module({
  providers: [AuditSealer, AuditTreeRepository],
  exports: [AuditSealer],
})
export class AuditWorkerModule {}
